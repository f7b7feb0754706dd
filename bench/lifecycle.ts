// Bench 2: lifecycle. (1) start() to ready of a managed supervisor against an oracle that spawns the same
// gateway the same way and retries connect + handshake every 10 ms until hello-ok; fresh state dir each,
// order alternating per iteration. (2) SIGKILL of the supervised child to status `running` with a new pid,
// against the cold start of the same supervisor. Overheads are reported in ms and as ratios.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewaySupervisor, type GatewaySupervisor } from '../src/index.js';
import { freePort } from '../tests/support/free-port.js';
import { listGatewayProcesses } from '../tests/support/process-tree.js';
import { gatewayNodePath, launchGateway, openclawEntry } from './support/gateways.js';
import { registerCleanup } from './support/cleanup.js';
import { waitForHelloOk } from './support/raw-client.js';
import { median, ratio, round } from './support/stats.js';

export interface LifecycleOptions {
  iterations: number;
  oracleRetryIntervalMs: number;
  readyDeadlineMs: number;
  log: (line: string) => void;
}

export const defaultLifecycleOptions: Omit<LifecycleOptions, 'log'> = {
  iterations: 3,
  oracleRetryIntervalMs: 10,
  readyDeadlineMs: 90_000,
};

export interface StatusStep {
  atMs: number;
  state: string;
  phase?: string;
  pid?: number;
}

export interface SupervisorRun {
  iteration: number;
  coldStartMs?: number;
  killToReadyMs?: number;
  /** When the status first left `running` after the kill, and when a new pid was first reported. */
  killDetectedMs?: number;
  killNewPidMs?: number;
  crashCountAfter?: number;
  timeline?: StatusStep[];
  stopMs?: number;
  /** Processes of the state dir (gateway, broker, sqlite worker) alive the moment stop() resolved. */
  aliveAtStopPids?: number[];
  /** Those still alive 2.5 s later (the bench then stops them itself, by PID). */
  leftoverPids?: number[];
  error?: string;
}

export interface OracleRun {
  iteration: number;
  coldStartMs?: number;
  attempts?: number;
  /** SIGTERM to exit of the gateway (for comparison with the supervisor's stop()). */
  stopMs?: number;
  error?: string;
}

export interface LifecycleResult {
  options: Omit<LifecycleOptions, 'log'>;
  supervisor: SupervisorRun[];
  oracle: OracleRun[];
  summary: {
    oracleColdStartMsMedian: number | null;
    supervisorColdStartMsMedian: number | null;
    coldStartOverheadMs: number | null;
    coldStartRatio: number | null;
    killToReadyMsMedian: number | null;
    killToReadyOverheadVsColdStartMs: number | null;
    killToReadyRatioVsColdStart: number | null;
    killToReadyRatioVsOracleColdStart: number | null;
  };
}

export async function runLifecycleBench(options: LifecycleOptions): Promise<LifecycleResult> {
  const { log, ...recorded } = options;
  const supervisor: SupervisorRun[] = [];
  const oracle: OracleRun[] = [];

  for (let i = 0; i < options.iterations; i++) {
    const order = i % 2 === 0 ? (['supervisor', 'oracle'] as const) : (['oracle', 'supervisor'] as const);
    for (const which of order) {
      if (which === 'oracle') {
        const run = await oracleColdStart(i + 1, options);
        oracle.push(run);
        log(`  iteration ${i + 1} oracle: ${run.error ?? `ready ${run.coldStartMs} ms (${run.attempts} attempts), stop ${run.stopMs} ms`}`);
      } else {
        const run = await supervisedRun(i + 1, options);
        supervisor.push(run);
        log(
          `  iteration ${i + 1} supervisor: ${run.error ?? ''} start ${run.coldStartMs ?? '-'} ms, ` +
            `SIGKILL->running ${run.killToReadyMs ?? '-'} ms, stop ${run.stopMs ?? '-'} ms` +
            (run.leftoverPids?.length ? `, LEFTOVER pids ${run.leftoverPids.join(',')}` : ''),
        );
      }
    }
  }

  const oracleMs = numbers(oracle.map((r) => r.coldStartMs));
  const coldMs = numbers(supervisor.map((r) => r.coldStartMs));
  const killMs = numbers(supervisor.map((r) => r.killToReadyMs));
  const oracleMedian = oracleMs.length ? round(median(oracleMs), 1) : null;
  const coldMedian = coldMs.length ? round(median(coldMs), 1) : null;
  const killMedian = killMs.length ? round(median(killMs), 1) : null;
  return {
    options: recorded,
    supervisor,
    oracle,
    summary: {
      oracleColdStartMsMedian: oracleMedian,
      supervisorColdStartMsMedian: coldMedian,
      coldStartOverheadMs: coldMedian !== null && oracleMedian !== null ? round(coldMedian - oracleMedian, 1) : null,
      coldStartRatio: ratio(coldMedian ?? undefined, oracleMedian ?? undefined),
      killToReadyMsMedian: killMedian,
      killToReadyOverheadVsColdStartMs: killMedian !== null && coldMedian !== null ? round(killMedian - coldMedian, 1) : null,
      killToReadyRatioVsColdStart: ratio(killMedian ?? undefined, coldMedian ?? undefined),
      killToReadyRatioVsOracleColdStart: ratio(killMedian ?? undefined, oracleMedian ?? undefined),
    },
  };
}

async function oracleColdStart(iteration: number, options: LifecycleOptions): Promise<OracleRun> {
  const port = await freePort();
  // Timed from before the launcher call, which prepares the state dir and spawns as the supervisor does.
  const startAt = performance.now();
  const gateway = await launchGateway({ port, waitFor: 'spawned' });
  try {
    const { client, attempts } = await waitForHelloOk(gateway.url, gateway.token, {
      retryIntervalMs: options.oracleRetryIntervalMs,
      deadlineMs: options.readyDeadlineMs,
    });
    const coldStartMs = round(performance.now() - startAt, 1);
    await client.close();
    const stopAt = performance.now();
    await gateway.stop();
    return { iteration, coldStartMs, attempts, stopMs: round(performance.now() - stopAt, 1) };
  } catch (error) {
    const tail = gateway.stderrTail().slice(-5).join(' | ');
    await gateway.stop();
    return { iteration, error: `${(error as Error).message}; stderr: ${tail}` };
  }
}

async function supervisedRun(iteration: number, options: LifecycleOptions): Promise<SupervisorRun> {
  const stateDir = await mkdtemp(join(tmpdir(), 'oc-bench-'));
  const port = await freePort();
  const run: SupervisorRun = { iteration };
  let supervisor: GatewaySupervisor | undefined;
  let unregister: (() => void) | undefined;
  try {
    const created = createGatewaySupervisor({ mode: 'managed', stateDir, port, nodePath: gatewayNodePath, openclawEntry, skipChannels: true });
    supervisor = created;
    unregister = registerCleanup(() => created.dispose());
    const startAt = performance.now();
    await withDeadline(supervisor.start(), options.readyDeadlineMs, 'start()');
    run.coldStartMs = round(performance.now() - startAt, 1);
    const oldPid = supervisor.getStatus().pid;
    if (oldPid === undefined) throw new Error('status has no pid after start()');
    await measureKillToReady(supervisor, oldPid, run, options);
  } catch (error) {
    run.error = (error as Error).message;
  } finally {
    unregister?.();
    if (supervisor !== undefined) {
      const stopAt = performance.now();
      try {
        await withDeadline(supervisor.stop(), 30_000, 'stop()');
        run.stopMs = round(performance.now() - stopAt, 1);
        await supervisor.dispose();
      } catch (error) {
        run.error = `${run.error ?? ''} stop: ${(error as Error).message}`.trim();
      }
    }
    run.aliveAtStopPids = listGatewayProcesses(stateDir);
    run.leftoverPids = await reapLeftovers(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  }
  return run;
}

async function measureKillToReady(
  supervisor: GatewaySupervisor,
  oldPid: number,
  run: SupervisorRun,
  options: LifecycleOptions,
): Promise<void> {
  const timeline: StatusStep[] = [];
  let killedAt = 0;
  let unsubscribe: (() => void) | undefined;
  const ready = new Promise<void>((done) => {
    unsubscribe = supervisor.on('status', (status) => {
      if (killedAt === 0) return;
      const atMs = round(performance.now() - killedAt, 1);
      const last = timeline[timeline.length - 1];
      if (last === undefined || last.state !== status.state || last.phase !== status.phase || last.pid !== status.pid) {
        timeline.push({ atMs, state: status.state, ...(status.phase ? { phase: status.phase } : {}), ...(status.pid ? { pid: status.pid } : {}) });
      }
      if (run.killDetectedMs === undefined && status.state !== 'running') run.killDetectedMs = atMs;
      if (run.killNewPidMs === undefined && status.pid !== undefined && status.pid !== oldPid) run.killNewPidMs = atMs;
      if (status.state === 'running' && status.pid !== undefined && status.pid !== oldPid) done();
    });
  });
  killedAt = performance.now();
  process.kill(oldPid, 'SIGKILL');
  try {
    await withDeadline(ready, options.readyDeadlineMs, 'running with a new pid after SIGKILL');
    run.killToReadyMs = round(performance.now() - killedAt, 1);
    run.crashCountAfter = supervisor.getStatus().crashCount;
  } finally {
    run.timeline = timeline;
    unsubscribe?.();
  }
}

/**
 * Processes of this state dir still alive after stop() (gateway, broker, sqlite worker all carry its
 * OPENCLAW_STATE_DIR); each is stopped here by its own PID so the machine stays clean.
 */
async function reapLeftovers(stateDir: string): Promise<number[]> {
  // Orphaned brokers exit by themselves ~1.7 s after their gateway (openclaw-facts): give them that.
  const graceUntil = performance.now() + 2_500;
  let alive = listGatewayProcesses(stateDir);
  while (alive.length > 0 && performance.now() < graceUntil) {
    await new Promise((r) => setTimeout(r, 100));
    alive = listGatewayProcesses(stateDir);
  }
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return alive;
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what} took over ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function numbers(values: (number | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}
