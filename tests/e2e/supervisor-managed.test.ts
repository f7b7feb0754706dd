// The managed lifecycle against the real gateway, as one supervisor lives through it: start, crash
// (SIGKILL), a burst of restart requests, reload in place, a restart requested while starting, and stop.
// Throughout, never two owned gateway processes are alive at once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, type GatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { freePort } from '../support/free-port.js';
import { monitorOwnedGateways, type OwnedProcessMonitor } from '../support/owned-process-monitor.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';
import { managedOptions } from '../support/real-gateway.js';
import { activeResources, processListenerCounts, recordEvents, waitForStatus } from '../support/supervisor-probe.js';

const READY_MS = 120_000;
let stateDir: string;
let supervisor: GatewaySupervisor;
let monitor: OwnedProcessMonitor;
let resourcesBefore: Record<string, number>;
let listenersBefore: Record<string, number>;
const history: SupervisorStatus[] = [];
const rec = recordEvents();

beforeAll(async () => {
  resourcesBefore = activeResources();
  listenersBefore = processListenerCounts();
  stateDir = await mkdtemp(join(tmpdir(), 'ocs-managed-'));
  supervisor = createGatewaySupervisor({
    ...managedOptions(stateDir, await freePort()),
    inspect: rec.inspect,
  });
  supervisor.on('status', (s) => history.push(s));
  monitor = monitorOwnedGateways(supervisor, stateDir);
});

afterAll(async () => {
  monitor?.stop();
  await supervisor?.dispose();
  await rm(stateDir, { recursive: true, force: true });
});

const pidsSince = (index: number) => [
  ...new Set(
    history
      .slice(index)
      .map((s) => s.pid)
      .filter((p): p is number => p !== undefined),
  ),
];

describe('managed gateway lifecycle (real gateway)', () => {
  it('start() resolves at hello-ok with an owned, live child', async () => {
    const status = await supervisor.start();
    expect(status).toMatchObject({ state: 'running', mode: 'managed', owned: true });
    expect(status.pid).toBeDefined();
    expect(isAlive(status.pid!)).toBe(true);
    expect(status.connection?.server?.version).toBe('2026.9.6');
    expect(await supervisor.request('health')).toBeTruthy();
  });

  it('a SIGKILLed child comes back to running with a new PID', async () => {
    const before = supervisor.getStatus();
    process.kill(before.pid!, 'SIGKILL');
    const back = await waitForStatus(supervisor, (s) => s.state === 'running' && s.pid !== before.pid, READY_MS, 'running with a new pid');
    expect(back.pid).not.toBe(before.pid);
    expect(isAlive(before.pid!)).toBe(false);
    expect(history.some((s) => s.crashCount > 0 || s.state === 'starting')).toBe(true);
  });

  it('50 requestRestart() calls within one second give exactly one restart', async () => {
    const before = supervisor.getStatus();
    const mark = history.length;
    for (let i = 0; i < 50; i++) {
      supervisor.requestRestart();
      await new Promise((r) => setTimeout(r, 15));
    }
    const after = await waitForStatus(supervisor, (s) => s.state === 'running' && s.pid !== before.pid, READY_MS, 'the restart');
    // Let any second restart that a broken debounce would make fall due (debounce 2 s + cooldown 2.5 s).
    await new Promise((r) => setTimeout(r, 6_000));
    expect(supervisor.getStatus()).toMatchObject({ state: 'running', pid: after.pid });
    expect(pidsSince(mark).filter((p) => p !== before.pid)).toEqual([after.pid]);
  });

  it('reload() applies in place: same PID, new bootId, and the 1012 close it causes is expected', async () => {
    const before = supervisor.getStatus();
    const mark = rec.events.length;
    await supervisor.reload();
    // SIGUSR2: the gateway announces `shutdown` with restartExpectedMs, then closes 1012.
    const shutdown = rec.events.slice(mark).find((e) => e.type === 'socket.shutdown');
    expect(shutdown?.restartExpectedMs).toBeGreaterThan(0);
    expect(rec.events.slice(mark).find((e) => e.type === 'connection.lost')).toMatchObject({ code: 1012, expected: true });
    const after = supervisor.getStatus();
    expect(after.state).toBe('running');
    expect(after.pid).toBe(before.pid);
    expect(after.connection?.server?.bootId).not.toBe(before.connection?.server?.bootId);
  });

  it('a restart requested while starting runs once, after ready', async () => {
    await supervisor.stop();
    const mark = history.length;
    const started = supervisor.start();
    await waitForStatus(supervisor, (s) => s.state === 'starting', 10_000, 'starting');
    supervisor.requestRestart();
    const first = await started;
    const second = await waitForStatus(supervisor, (s) => s.state === 'running' && s.pid !== first.pid, READY_MS, 'the deferred restart');
    await new Promise((r) => setTimeout(r, 6_000));
    expect(supervisor.getStatus().pid).toBe(second.pid);
    expect(pidsSince(mark)).toEqual([first.pid, second.pid]);
  });

  it('never had two owned gateway processes alive at once', () => {
    expect(monitor.pidsSeen().length).toBeGreaterThanOrEqual(4);
    expect(monitor.maxAlive()).toBe(1);
  });

  it('after stop() no gateway process, spawn-broker or handle of ours remains', async () => {
    const last = supervisor.getStatus().pid!;
    await supervisor.stop();
    expect(supervisor.getStatus().state).toBe('stopped');
    expect(isAlive(last)).toBe(false);
    expect(listGatewayProcesses(stateDir)).toEqual([]);
    monitor.stop();
    // Node closes a child's process handle and a socket's handle one loop turn after their exit/close
    // events: give them those turns (bounded), then require the baseline exactly.
    const settled = () =>
      (activeResources().ProcessWrap ?? 0) <= (resourcesBefore.ProcessWrap ?? 0) &&
      (activeResources().TCPSocketWrap ?? 0) <= (resourcesBefore.TCPSocketWrap ?? 0);
    for (let i = 0; i < 50 && !settled(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(activeResources().TCPSocketWrap ?? 0).toBeLessThanOrEqual(resourcesBefore.TCPSocketWrap ?? 0);
    expect(activeResources().ProcessWrap ?? 0).toBe(resourcesBefore.ProcessWrap ?? 0);
    expect(processListenerCounts()).toEqual(listenersBefore);
  });
});
