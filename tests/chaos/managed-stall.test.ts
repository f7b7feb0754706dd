// The chaos tier, managed mode: a gateway child that is alive but answers nothing (SIGSTOP: its process
// exists, its TCP socket stays open in the kernel, its pings go unanswered) is a stalled link, and stalls
// of a child that is still alive escalate to a restart of that child. With one stall allowed, the first
// one restarts it; the status says so; the frozen process is gone; a stop leaves nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, type GatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { freePort } from '../support/free-port.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';
import { managedOptions } from '../support/real-gateway.js';
import { waitForStatus } from '../support/supervisor-probe.js';

const READY_MS = 90_000;
let stateDir: string;
let supervisor: GatewaySupervisor | undefined;
let frozen: number | undefined;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ocs-stall-'));
});

afterAll(async () => {
  // A failed run must not leave a stopped process behind: wake it so it can be killed.
  if (frozen !== undefined && isAlive(frozen)) {
    process.kill(frozen, 'SIGCONT');
    process.kill(frozen, 'SIGKILL');
  }
  await supervisor?.dispose();
  await rm(stateDir, { recursive: true, force: true });
});

describe('a managed child that stops answering', () => {
  it('is noticed by its pings, restarted as a stall, reported in the status, and leaves nothing after stop', async () => {
    supervisor = createGatewaySupervisor({
      ...managedOptions(stateDir, await freePort()),
      // Short liveness so the test is quick; one stall of a live child is enough to restart it.
      liveness: { pingIntervalMs: 500, pongTimeoutMs: 500, maxStalls: 1, stallWindowMs: 60_000 },
      // A stopped process ignores SIGTERM: the grace before SIGKILL is what the restart waits.
      stopGraceMs: 1_000,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1_000 },
    });
    const seen: SupervisorStatus[] = [];
    supervisor.on('status', (s) => seen.push(s));

    const first = await supervisor.start();
    expect(seen.at(-1)).toBe(first);
    frozen = first.pid as number;
    expect(first.stalls).toEqual({ recent: 0, restarts: 0 });

    process.kill(frozen, 'SIGSTOP');
    const back = await waitForStatus(
      supervisor,
      (s) => s.state === 'running' && s.pid !== undefined && s.pid !== frozen,
      READY_MS,
      'running on a new child',
    );

    // The restart was the stall's doing, and the status said so as it began: the first status after the
    // freeze is the restart of that same child, counted as a stall restart, not a crash.
    const afterFreeze = seen.slice(seen.indexOf(first) + 1);
    expect(afterFreeze[0]).toMatchObject({ state: 'starting', phase: 'restarting', pid: frozen, stalls: { restarts: 1 } });
    expect(back.stalls).toEqual({ recent: 0, restarts: 1 });
    expect(back.crashCount).toBe(0);
    // The frozen child was killed rather than left stopped beside the new one.
    expect(isAlive(frozen)).toBe(false);
    expect(listGatewayProcesses(stateDir)).toEqual(expect.arrayContaining([back.pid]));

    // Requests flow on the new child.
    await expect(supervisor.request('health')).resolves.toBeDefined();

    await supervisor.stop();
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  });
});
