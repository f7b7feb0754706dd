// Bench 4: 10,000 in-process channel accounts, one actor each, against a plain-object baseline measured in
// the same run (a loop that keeps the same fields per account and runs the same tasks, without actors), so
// the cost of one statechart per account is a ratio. Measured: heap per account, time to start all, time
// to take a snapshot, and when every task crashes at once, the largest number restarting in any 100 ms.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ChannelPlugin } from '../src/runtime/channel-plugin.js';
import { defaults } from '../src/machines/defaults.js';
import { restartCurveMs } from '../src/machines/channels/health.js';
import { builtPackage } from './support/built-package.js';
import { median, ratio, round } from './support/stats.js';

export interface ChannelBenchOptions {
  accounts: number;
  snapshotRepeats: number;
  /** Bound on waiting for every crashed account to be back. */
  recoveryTimeoutMs: number;
  log: (line: string) => void;
}

export const defaultChannelBenchOptions: Omit<ChannelBenchOptions, 'log'> = { accounts: 10_000, snapshotRepeats: 7, recoveryTimeoutMs: 180_000 };

interface SideResult {
  heapPerAccountBytes: number;
  heapTotalMb: number;
  startAllMs: number;
  snapshotMedianMs: number;
  /** Largest number of task starts in any 100 ms window after all crashed at once. */
  maxRestartsPer100ms: number;
  maxRestartsPer100msPct: number;
  /** From the crash to the last restart. */
  recoverySpreadMs: number;
  restarted: number;
}

export interface ChannelBenchResult {
  accounts: number;
  gcExposed: boolean;
  actors: SideResult;
  baseline: SideResult;
  ratios: { heapPerAccount: number | null; startAll: number | null; snapshot: number | null };
  goals: { heapPerAccountBytes: number; snapshotMs: number; maxRestartsPer100msPct: number };
}

type Cfg = { ids: string[] };

/** Tasks that run until aborted, and can all be crashed at once; every start is timed. */
function taskBank() {
  const crashers = new Set<(error: Error) => void>();
  const starts: number[] = [];
  const startAccount = (ctx: { abortSignal: AbortSignal }) => {
    starts.push(performance.now());
    return new Promise<void>((resolve, reject) => {
      const crash = (error: Error) => {
        crashers.delete(crash);
        reject(error);
      };
      crashers.add(crash);
      ctx.abortSignal.addEventListener(
        'abort',
        () => {
          crashers.delete(crash);
          resolve();
        },
        { once: true },
      );
    });
  };
  return {
    startAccount,
    starts,
    crashAll: () => {
      const error = new Error('connection reset');
      for (const crash of [...crashers]) crash(error);
    },
  };
}

function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function runChannelBench(options: ChannelBenchOptions): Promise<ChannelBenchResult> {
  const collect = exposeGc();
  const ids = Array.from({ length: options.accounts }, (_, i) => `acct-${i}`);
  const heapNow = () => {
    collect?.();
    collect?.();
    return process.memoryUsage().heapUsed;
  };
  // The baseline first: its garbage is collected before the actors are measured.
  const baseline = await runBaseline(ids, options, heapNow);
  options.log(
    `  baseline: ${round(baseline.heapPerAccountBytes / 1024, 2)} KB/account, start ${baseline.startAllMs} ms, snapshot ${baseline.snapshotMedianMs} ms, max ${baseline.maxRestartsPer100msPct}% restarting in 100 ms`,
  );
  const actors = await runActors(ids, options, heapNow);
  options.log(
    `  actors:   ${round(actors.heapPerAccountBytes / 1024, 2)} KB/account, start ${actors.startAllMs} ms, snapshot ${actors.snapshotMedianMs} ms, max ${actors.maxRestartsPer100msPct}% restarting in 100 ms`,
  );
  return {
    accounts: ids.length,
    gcExposed: collect !== undefined,
    actors,
    baseline,
    ratios: {
      heapPerAccount: ratio(actors.heapPerAccountBytes, baseline.heapPerAccountBytes),
      startAll: ratio(actors.startAllMs, baseline.startAllMs),
      snapshot: ratio(actors.snapshotMedianMs, baseline.snapshotMedianMs),
    },
    goals: { heapPerAccountBytes: 4_096, snapshotMs: 50, maxRestartsPer100msPct: 5 },
  };
}

async function runActors(ids: string[], options: ChannelBenchOptions, heapNow: () => number): Promise<SideResult> {
  const bank = taskBank();
  const plugin: ChannelPlugin<Cfg, { id: string }> = {
    id: 'bench',
    config: { listAccountIds: (cfg) => cfg.ids, resolveAccount: (_cfg, id) => ({ id }) },
    gateway: { startAccount: bank.startAccount },
  };
  const cfg: Cfg = { ids };
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger };
  // The manager as hosts run it (dist/); the plugin, its tasks and the baseline are this file's, under tsx.
  const { createChannelManager } = await builtPackage();
  const before = heapNow();
  const manager = createChannelManager({ plugins: [plugin], loadConfig: () => cfg, logger });
  try {
    const t0 = performance.now();
    await manager.startChannels();
    const startAllMs = round(performance.now() - t0, 1);
    const heapTotal = heapNow() - before;
    const snapshotTimes: number[] = [];
    for (let i = 0; i < options.snapshotRepeats; i++) {
      heapNow(); // the start's garbage is collected first, on both sides, so the snapshot is what is timed
      const s0 = performance.now();
      const snapshot = manager.getRuntimeSnapshot();
      snapshotTimes.push(performance.now() - s0);
      if (Object.keys(snapshot.channelAccounts.bench!).length !== ids.length) throw new Error('snapshot lost accounts');
    }
    const startsBefore = bank.starts.length;
    const crashedAt = performance.now();
    bank.crashAll();
    await until(() => bank.starts.length - startsBefore >= ids.length, options.recoveryTimeoutMs, 'every account restarted');
    return sideResult({ accounts: ids.length, heapTotal, startAllMs, snapshotTimes, restarts: bank.starts.slice(startsBefore), crashedAt });
  } finally {
    await manager.close();
  }
}

/** The same fields and tasks in plain objects: a crash is rescheduled with setTimeout on the same curve. */
async function runBaseline(ids: string[], options: ChannelBenchOptions, heapNow: () => number): Promise<SideResult> {
  const bank = taskBank();
  const policy = defaults.channels.restartPolicy;
  interface Plain {
    accountId: string;
    enabled: boolean;
    configured: boolean;
    running: boolean;
    connected: boolean | undefined;
    restartPending: boolean;
    reconnectAttempts: number;
    restartTimes: number[];
    lastError: string | null;
    lastStartAt: number | null;
    lastStopAt: number | null;
    lastEventAt: number | null;
    generation: number;
    abort: AbortController | null;
    timer: ReturnType<typeof setTimeout> | null;
  }
  const accounts = new Map<string, Plain>();
  const launch = (a: Plain) => {
    a.abort = new AbortController();
    a.running = true;
    a.restartPending = false;
    a.lastStartAt = Date.now();
    a.generation++;
    const generation = a.generation;
    Promise.resolve(bank.startAccount({ abortSignal: a.abort.signal })).catch((error: Error) => {
      if (a.generation !== generation) return;
      a.running = false;
      a.lastError = error.message;
      a.lastStopAt = Date.now();
      a.reconnectAttempts++;
      a.restartPending = true;
      a.timer = setTimeout(() => launch(a), restartCurveMs(policy, a.reconnectAttempts, Math.random));
    });
  };
  const before = heapNow();
  const t0 = performance.now();
  for (const accountId of ids) {
    const a: Plain = {
      accountId,
      enabled: true,
      configured: true,
      running: false,
      connected: undefined,
      restartPending: false,
      reconnectAttempts: 0,
      restartTimes: [],
      lastError: null,
      lastStartAt: null,
      lastStopAt: null,
      lastEventAt: null,
      generation: 0,
      abort: null,
      timer: null,
    };
    accounts.set(accountId, a);
    launch(a);
  }
  const startAllMs = round(performance.now() - t0, 1);
  const heapTotal = heapNow() - before;
  const snapshotTimes: number[] = [];
  for (let i = 0; i < options.snapshotRepeats; i++) {
    heapNow();
    const s0 = performance.now();
    const byId: Record<string, unknown> = {};
    for (const [id, a] of accounts) {
      byId[id] = {
        accountId: a.accountId,
        enabled: a.enabled,
        configured: a.configured,
        running: a.running,
        restartPending: a.restartPending,
        reconnectAttempts: a.reconnectAttempts,
        lastError: a.lastError,
        lastStartAt: a.lastStartAt,
        lastStopAt: a.lastStopAt,
        lastEventAt: a.lastEventAt,
      };
    }
    snapshotTimes.push(performance.now() - s0);
  }
  const startsBefore = bank.starts.length;
  const crashedAt = performance.now();
  bank.crashAll();
  await until(() => bank.starts.length - startsBefore >= ids.length, options.recoveryTimeoutMs, 'every baseline account restarted');
  for (const a of accounts.values()) {
    a.abort?.abort();
    if (a.timer) clearTimeout(a.timer);
  }
  return sideResult({ accounts: ids.length, heapTotal, startAllMs, snapshotTimes, restarts: bank.starts.slice(startsBefore), crashedAt });
}

/** One side's figures from what it measured: both sides are summarized alike. */
function sideResult(m: {
  accounts: number;
  heapTotal: number;
  startAllMs: number;
  snapshotTimes: number[];
  restarts: number[];
  crashedAt: number;
}): SideResult {
  const peak = maxInWindow(m.restarts, 100);
  return {
    heapPerAccountBytes: Math.round(m.heapTotal / m.accounts),
    heapTotalMb: round(m.heapTotal / 1_048_576, 1),
    startAllMs: m.startAllMs,
    snapshotMedianMs: round(median(m.snapshotTimes), 2),
    maxRestartsPer100ms: peak,
    maxRestartsPer100msPct: round((peak / m.accounts) * 100, 2),
    recoverySpreadMs: round(Math.max(...m.restarts) - m.crashedAt, 0),
    restarted: m.restarts.length,
  };
}

/** A full GC on demand even without `--expose-gc` on the command line (the flag is set for a new context). */
function exposeGc(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : undefined;
}

export function renderChannelMarkdown(result: ChannelBenchResult | undefined, error: string | undefined): string {
  if (!result) return `## Channel accounts\n\nfailed: ${error ?? 'unknown'}\n`;
  const a = result.actors;
  const b = result.baseline;
  const kb = (bytes: number) => round(bytes / 1024, 2);
  return [
    '## Channel accounts',
    '',
    `${result.accounts} in-process accounts of one plugin, each task a pending promise that honours its abort; then every task crashes at once and each account comes back on OpenClaw's curve (5 s plus up to 10 % jitter, as its computeBackoff adds it) through the manager's start gate (${defaults.channels.startConcurrency} at once, ${defaults.channels.startsPerSecond} a second). Baseline: the same fields and tasks in plain objects, a crash rescheduled by setTimeout on the same curve, no actors and no start gate. GC ${result.gcExposed ? 'forced before each heap reading and each snapshot' : 'not forced'}; the host's node ${process.version}; the manager from the built package (dist/), the plugin, its tasks and the baseline run by tsx.`,
    '',
    '| | heap per account | heap total | start all | snapshot (median) | max restarting in 100 ms | crash to last restart |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| one actor per account | ${kb(a.heapPerAccountBytes)} KB | ${a.heapTotalMb} MB | ${a.startAllMs} ms | ${a.snapshotMedianMs} ms | ${a.maxRestartsPer100ms} (${a.maxRestartsPer100msPct}%) | ${a.recoverySpreadMs} ms |`,
    `| plain objects (baseline) | ${kb(b.heapPerAccountBytes)} KB | ${b.heapTotalMb} MB | ${b.startAllMs} ms | ${b.snapshotMedianMs} ms | ${b.maxRestartsPer100ms} (${b.maxRestartsPer100msPct}%) | ${b.recoverySpreadMs} ms |`,
    '',
    `Ratios actors / baseline: heap x${result.ratios.heapPerAccount}, start x${result.ratios.startAll}, snapshot x${result.ratios.snapshot}. Goals: heap <= 4 KB per account, snapshot < 50 ms, <= 5% restarting in any 100 ms.`,
    '',
  ].join('\n');
}
