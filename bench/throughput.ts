// Bench 1: control-connection throughput against one real gateway. For each client (raw floor, reference
// client, ours) and each round: handshake time, 1,000 sequential calls (calls/s, p50/p99), 1,000 calls
// issued at once (completions/s, successes, "server busy" refusals), and a sustained window of 32 calls
// in flight for a fixed time. Rounds rotate the client order so drift on a noisy machine is shared.
import { defaultPairedOptions, runPairedComparison, type PairedOptions, type PairedResult } from './paired.js';
import { isGap, openClient, preloadClient, type BenchClient, type ClientKind, type Endpoint } from './support/clients.js';
import { processCpuMs, waitForQuiet } from './support/proc-cpu.js';
import { median, ratio, round, summarize, type LatencySummary } from './support/stats.js';

export interface ThroughputOptions {
  method: string;
  rounds: number;
  warmupCalls: number;
  sequentialCalls: number;
  burstCalls: number;
  windowInFlight: number;
  windowDurationMs: number;
  /** Extra open/close cycles per round and client; the round's handshake is the median of all of them. */
  handshakes: number;
  kinds: readonly ClientKind[];
  /** The goal figures (ours against raw) measured again as pairs of short interleaved blocks; false skips. */
  paired: PairedOptions | false;
  log: (line: string) => void;
}

export const defaultThroughputOptions: Omit<ThroughputOptions, 'log'> = {
  method: 'last-heartbeat',
  // Five short rounds rather than three long ones: on a shared 2-core machine the noise comes in bursts of
  // seconds, and more rotations spread it more evenly over the clients.
  rounds: 5,
  warmupCalls: 200,
  sequentialCalls: 1_000,
  burstCalls: 1_000,
  // 32 in flight measured best on this gateway with no busy refusals (openclaw-facts).
  windowInFlight: 32,
  windowDurationMs: 2_000,
  // One handshake is a few milliseconds: a single sample per round is mostly noise.
  handshakes: 20,
  kinds: ['raw', 'reference', 'ours'],
  paired: defaultPairedOptions,
};

export interface ScenarioResult {
  calls: number;
  ok: number;
  /** Error code -> count (UNAVAILABLE is the gateway's "server is busy"). */
  errors: Record<string, number>;
  elapsedMs: number;
  /** Settled calls (ok or refused) per second. */
  callsPerSec: number;
  okPerSec: number;
  latency: LatencySummary;
  /** CPU time of this (client) process per call, user + system, in microseconds. */
  clientCpuUsPerCall: number;
  /** CPU time of the gateway process per call (from /proc, 10 ms resolution), when readable. */
  gatewayCpuUsPerCall: number | null;
}

export interface RoundResult {
  round: number;
  handshakeMs: number;
  sequential: ScenarioResult;
  burst: ScenarioResult;
  window: ScenarioResult;
}

export interface ClientResult {
  kind: ClientKind;
  label?: string;
  gap?: string;
  rounds: RoundResult[];
  /** Medians over rounds (latency percentiles pooled over every call of every round). */
  summary?: {
    handshakeMsMedian: number;
    sequentialCallsPerSecMedian: number;
    sequentialCallsPerSecRange: [number, number];
    sequentialLatency: LatencySummary;
    burstOkPerSecMedian: number;
    burstCallsPerSecMedian: number;
    burstRefusedMedian: number;
    burstLatency: LatencySummary;
    windowCallsPerSecMedian: number;
    windowCallsPerSecRange: [number, number];
    windowLatency: LatencySummary;
    windowErrorsTotal: number;
    sequentialCpuUsPerCallMedian: number;
    windowCpuUsPerCallMedian: number;
    sequentialGatewayCpuUsPerCallMedian: number | null;
    windowGatewayCpuUsPerCallMedian: number | null;
  };
}

export interface ThroughputResult {
  options: Omit<ThroughputOptions, 'log'>;
  clients: ClientResult[];
  ratios: Record<string, number | null>;
  /** ours against raw, interleaved (bench/paired.ts): the figures the goals are read from. */
  paired?: PairedResult;
}

/** `endpoint.pid` (the gateway's) lets each scenario report the server-side CPU per call too. */
export async function runThroughputBench(endpoint: Endpoint & { pid?: number }, options: ThroughputOptions): Promise<ThroughputResult> {
  const { log, ...recorded } = options;
  const results = new Map<ClientKind, ClientResult>(options.kinds.map((kind) => [kind, { kind, rounds: [] }]));
  const samples = new Map<ClientKind, { sequential: number[]; burst: number[]; window: number[] }>();

  for (const kind of options.kinds) await preloadClient(kind);
  for (let round = 1; round <= options.rounds; round++) {
    const order = rotate(options.kinds, round - 1);
    for (const kind of order) {
      const result = results.get(kind) as ClientResult;
      if (result.gap !== undefined) continue;
      const openedAt = performance.now();
      const client = await openClient(kind, endpoint);
      if (isGap(client)) {
        result.gap = client.gap;
        log(`  ${kind}: GAP ${client.gap}`);
        continue;
      }
      const handshakeSamples = [performance.now() - openedAt];
      result.label = client.label;
      let measuredRound: Omit<RoundResult, 'round' | 'handshakeMs'>;
      try {
        await warmUp(client, options);
        const sequential = await measured(endpoint.pid, () => runSequential(client, options));
        const burst = await measured(endpoint.pid, () => runBurst(client, options));
        const window = await measured(endpoint.pid, () => runWindow(client, options));
        measuredRound = { sequential: sequential.result, burst: burst.result, window: window.result };
        const pool = samples.get(kind) ?? { sequential: [], burst: [], window: [] };
        pool.sequential.push(...sequential.samples);
        pool.burst.push(...burst.samples);
        pool.window.push(...window.samples);
        samples.set(kind, pool);
      } finally {
        await client.close();
      }
      // The handshakes wait until the gateway has worked off this client's load (its burst is queued and
      // retried by some clients, refused by others), so each client's opens meet the same quiet gateway.
      if (endpoint.pid !== undefined) await waitForQuiet(endpoint.pid, { windowMs: 250, maxWaitMs: 5_000 });
      for (let i = 0; i < options.handshakes; i++) handshakeSamples.push(await timeHandshake(kind, endpoint));
      const handshakeMs = round3(median(handshakeSamples));
      result.rounds.push({ round, handshakeMs, ...measuredRound });
      const { sequential, burst, window } = measuredRound;
      log(
        `  round ${round} ${kind}: handshake ${handshakeMs} ms (median of ${handshakeSamples.length}); seq ${sequential.callsPerSec}/s p50 ${sequential.latency.p50Ms} ms; ` +
          `burst ok ${burst.ok}/${burst.calls} (${fmtErrors(burst.errors)}) ${burst.okPerSec} ok/s; ` +
          `window ${window.callsPerSec}/s`,
      );
    }
  }

  const clients = options.kinds.map((kind) => summarizeClient(results.get(kind) as ClientResult, samples.get(kind)));
  const result: ThroughputResult = { options: recorded, clients, ratios: computeRatios(clients) };
  if (options.paired !== false && options.kinds.includes('raw') && options.kinds.includes('ours')) {
    log('  paired blocks, ours against raw (ABBA)');
    result.paired = await runPairedComparison(endpoint, options.paired, log);
  }
  return result;
}

async function warmUp(client: BenchClient, options: ThroughputOptions): Promise<void> {
  for (let i = 0; i < options.warmupCalls; i++) await client.call(options.method, {});
}

interface RawScenario {
  latencies: number[];
  errors: Record<string, number>;
  elapsedMs: number;
}

/** Runs one scenario and adds what it cost: this process's CPU and, when readable, the gateway's. */
async function measured(gatewayPid: number | undefined, run: () => Promise<RawScenario>) {
  const gatewayBefore = gatewayPid === undefined ? undefined : processCpuMs(gatewayPid);
  const cpu = process.cpuUsage();
  const raw = await run();
  const clientCpu = process.cpuUsage(cpu);
  const gatewayAfter = gatewayPid === undefined ? undefined : processCpuMs(gatewayPid);
  const gatewayCpuMs = gatewayBefore === undefined || gatewayAfter === undefined ? undefined : gatewayAfter - gatewayBefore;
  return scenario(raw, clientCpu, gatewayCpuMs);
}

async function runSequential(client: BenchClient, options: ThroughputOptions): Promise<RawScenario> {
  const latencies: number[] = new Array(options.sequentialCalls);
  const errors: Record<string, number> = {};
  const startedAt = performance.now();
  for (let i = 0; i < options.sequentialCalls; i++) {
    const t0 = performance.now();
    const code = await client.call(options.method, {});
    latencies[i] = performance.now() - t0;
    if (code !== null) errors[code] = (errors[code] ?? 0) + 1;
  }
  return { latencies, errors, elapsedMs: performance.now() - startedAt };
}

async function runBurst(client: BenchClient, options: ThroughputOptions): Promise<RawScenario> {
  const latencies: number[] = new Array(options.burstCalls);
  const errors: Record<string, number> = {};
  const startedAt = performance.now();
  const calls: Promise<void>[] = new Array(options.burstCalls);
  for (let i = 0; i < options.burstCalls; i++) {
    calls[i] = client.call(options.method, {}).then((code) => {
      latencies[i] = performance.now() - startedAt;
      if (code !== null) errors[code] = (errors[code] ?? 0) + 1;
    });
  }
  await Promise.all(calls);
  return { latencies, errors, elapsedMs: performance.now() - startedAt };
}

async function runWindow(client: BenchClient, options: ThroughputOptions): Promise<RawScenario> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const startedAt = performance.now();
  const endAt = startedAt + options.windowDurationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < endAt) {
      const t0 = performance.now();
      const code = await client.call(options.method, {});
      latencies.push(performance.now() - t0);
      if (code !== null) errors[code] = (errors[code] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.windowInFlight }, worker));
  return { latencies, errors, elapsedMs: performance.now() - startedAt };
}

function scenario({ latencies, errors, elapsedMs }: RawScenario, cpu: NodeJS.CpuUsage, gatewayCpuMs: number | undefined) {
  const failed = Object.values(errors).reduce((sum, n) => sum + n, 0);
  const calls = latencies.length;
  const result: ScenarioResult = {
    calls,
    ok: calls - failed,
    errors,
    elapsedMs: round3(elapsedMs),
    callsPerSec: Math.round((calls / elapsedMs) * 1000),
    okPerSec: Math.round(((calls - failed) / elapsedMs) * 1000),
    latency: summarize(latencies),
    clientCpuUsPerCall: round3((cpu.user + cpu.system) / Math.max(1, calls)),
    gatewayCpuUsPerCall: gatewayCpuMs === undefined ? null : round3((gatewayCpuMs * 1000) / Math.max(1, calls)),
  };
  return { result, samples: latencies };
}

function summarizeClient(result: ClientResult, pool: { sequential: number[]; burst: number[]; window: number[] } | undefined): ClientResult {
  if (result.rounds.length === 0 || pool === undefined) return result;
  const r = result.rounds;
  return {
    ...result,
    summary: {
      handshakeMsMedian: round3(median(r.map((x) => x.handshakeMs))),
      sequentialCallsPerSecMedian: median(r.map((x) => x.sequential.callsPerSec)),
      sequentialCallsPerSecRange: range(r.map((x) => x.sequential.callsPerSec)),
      sequentialLatency: summarize(pool.sequential),
      burstOkPerSecMedian: median(r.map((x) => x.burst.okPerSec)),
      burstCallsPerSecMedian: median(r.map((x) => x.burst.callsPerSec)),
      burstRefusedMedian: median(r.map((x) => x.burst.errors['UNAVAILABLE'] ?? 0)),
      burstLatency: summarize(pool.burst),
      windowCallsPerSecMedian: median(r.map((x) => x.window.callsPerSec)),
      windowCallsPerSecRange: range(r.map((x) => x.window.callsPerSec)),
      windowLatency: summarize(pool.window),
      windowErrorsTotal: r.reduce((sum, x) => sum + (x.window.calls - x.window.ok), 0),
      sequentialCpuUsPerCallMedian: round3(median(r.map((x) => x.sequential.clientCpuUsPerCall))),
      windowCpuUsPerCallMedian: round3(median(r.map((x) => x.window.clientCpuUsPerCall))),
      sequentialGatewayCpuUsPerCallMedian: medianOrNull(r.map((x) => x.sequential.gatewayCpuUsPerCall)),
      windowGatewayCpuUsPerCallMedian: medianOrNull(r.map((x) => x.window.gatewayCpuUsPerCall)),
    },
  };
}

/** ours / raw and ours / reference for each headline figure (calls/s: higher is better; ms: lower). */
function computeRatios(clients: ClientResult[]): Record<string, number | null> {
  const by = (kind: ClientKind) => clients.find((c) => c.kind === kind)?.summary;
  const ours = by('ours');
  const out: Record<string, number | null> = {};
  for (const base of ['raw', 'reference'] as const) {
    const other = by(base);
    out[`sequentialCallsPerSec.ours/${base}`] = ratio(ours?.sequentialCallsPerSecMedian, other?.sequentialCallsPerSecMedian);
    out[`sequentialP50Ms.ours/${base}`] = ratio(ours?.sequentialLatency.p50Ms, other?.sequentialLatency.p50Ms);
    out[`sequentialP99Ms.ours/${base}`] = ratio(ours?.sequentialLatency.p99Ms, other?.sequentialLatency.p99Ms);
    out[`burstOkPerSec.ours/${base}`] = ratio(ours?.burstOkPerSecMedian, other?.burstOkPerSecMedian);
    out[`windowCallsPerSec.ours/${base}`] = ratio(ours?.windowCallsPerSecMedian, other?.windowCallsPerSecMedian);
    out[`handshakeMs.ours/${base}`] = ratio(ours?.handshakeMsMedian, other?.handshakeMsMedian);
  }
  return out;
}

/** One open (to hello-ok) and close of a fresh client: the open is what is timed. */
async function timeHandshake(kind: ClientKind, endpoint: Endpoint): Promise<number> {
  const openedAt = performance.now();
  const client = await openClient(kind, endpoint);
  const ms = performance.now() - openedAt;
  if (isGap(client)) throw new Error(client.gap);
  await client.close();
  return ms;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function fmtErrors(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code} ${n}`);
  return parts.length === 0 ? 'no errors' : parts.join(', ');
}

function range(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

function medianOrNull(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : round3(median(known));
}

const round3 = (v: number): number => round(v, 3);
