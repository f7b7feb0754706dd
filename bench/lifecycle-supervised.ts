// Bench 2, the supervisor side: a managed supervisor's start() to ready on a fresh state dir, then SIGKILL
// of its child to status `running` with a new pid (with the status timeline in between), then stop(),
// and a check that nothing of that state dir outlives it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewaySupervisor, type GatewaySupervisor } from '../src/index.js';
import { freePort } from '../tests/support/free-port.js';
import { listGatewayProcesses } from '../tests/support/process-tree.js';
import type { LifecycleOptions } from './lifecycle.js';
import { registerCleanup } from './support/cleanup.js';
import { withDeadline } from './support/deadline.js';
import { gatewayNodePath, openclawEntry } from './support/gateways.js';
import { round } from './support/stats.js';

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
  /** Status changes from start() on, and from the SIGKILL on (ms since each). */
  startTimeline?: StatusStep[];
  timeline?: StatusStep[];
  stopMs?: number;
  /** Processes of the state dir (gateway, broker, sqlite worker) alive the moment stop() resolved. */
  aliveAtStopPids?: number[];
  /** Those still alive 2.5 s later (the bench then stops them itself, by PID). */
  leftoverPids?: number[];
  error?: string;
}

/** One supervisor: cold start, SIGKILL to running, stop; never throws (failures land in `error`). */
export async function supervisedRun(iteration: number, options: LifecycleOptions): Promise<SupervisorRun> {
  const stateDir = await mkdtemp(join(tmpdir(), 'oc-bench-'));
  const port = await freePort();
  const run: SupervisorRun = { iteration };
  let supervisor: GatewaySupervisor | undefined;
  let unregister: (() => void) | undefined;
  try {
    const created = createGatewaySupervisor({ mode: 'managed', stateDir, port, nodePath: gatewayNodePath, openclawEntry, skipChannels: true });
    supervisor = created;
    unregister = registerCleanup(() => created.dispose());
    const startSteps = recordSteps(created);
    const startAt = performance.now();
    startSteps.from(startAt);
    try {
      await withDeadline(supervisor.start(), options.readyDeadlineMs, 'start()');
      run.coldStartMs = round(performance.now() - startAt, 1);
    } finally {
      run.startTimeline = startSteps.stop();
    }
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

async function measureKillToReady(supervisor: GatewaySupervisor, oldPid: number, run: SupervisorRun, options: LifecycleOptions): Promise<void> {
  const steps = recordSteps(supervisor);
  let unsubscribe: (() => void) | undefined;
  let killedAt = 0;
  const ready = new Promise<void>((done) => {
    unsubscribe = supervisor.on('status', (status) => {
      const atMs = round(performance.now() - killedAt, 1);
      if (run.killDetectedMs === undefined && status.state !== 'running') run.killDetectedMs = atMs;
      if (run.killNewPidMs === undefined && status.pid !== undefined && status.pid !== oldPid) run.killNewPidMs = atMs;
      if (status.state === 'running' && status.pid !== undefined && status.pid !== oldPid) done();
    });
  });
  killedAt = performance.now();
  steps.from(killedAt);
  process.kill(oldPid, 'SIGKILL');
  try {
    await withDeadline(ready, options.readyDeadlineMs, 'running with a new pid after SIGKILL');
    run.killToReadyMs = round(performance.now() - killedAt, 1);
    run.crashCountAfter = supervisor.getStatus().crashCount;
  } finally {
    run.timeline = steps.stop();
    unsubscribe?.();
  }
}

/** Records each change of state, phase or pid, in ms since the time given to `from`. */
function recordSteps(supervisor: GatewaySupervisor): { from(t0: number): void; stop(): StatusStep[] } {
  const steps: StatusStep[] = [];
  let t0: number | undefined;
  const unsubscribe = supervisor.on('status', (status) => {
    if (t0 === undefined) return;
    const last = steps[steps.length - 1];
    if (last !== undefined && last.state === status.state && last.phase === status.phase && last.pid === status.pid) return;
    steps.push({
      atMs: round(performance.now() - t0, 1),
      state: status.state,
      ...(status.phase ? { phase: status.phase } : {}),
      ...(status.pid ? { pid: status.pid } : {}),
    });
  });
  return {
    from: (at) => void (t0 = at),
    stop: () => {
      unsubscribe();
      return steps;
    },
  };
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
