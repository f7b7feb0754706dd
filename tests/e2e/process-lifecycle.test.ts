// The process adapter against the real gateway (Node 24, openclaw from runtime/). Two gateway starts in
// all: one driven through the gatewayProcess actor (probe, SIGUSR2 reload, terminate), one through the
// tests' launcher (SIGKILL). Every wait is on a signal: the actor's events, TCP accept, hello-ok, a close.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assign, createActor, sendTo, setup, waitFor } from 'xstate';
import { probePort } from '../../src/adapters/http/probe-port.js';
import { waitForListening } from '../../src/adapters/http/wait-listening.js';
import { createGatewayProcessLogic } from '../../src/adapters/process/gateway-process.js';
import { defaults } from '../../src/machines/defaults.js';
import { readCmdline } from '../../src/adapters/process/process-table.js';
import type { ProcessSignal } from '../../src/contracts/index.js';
import { freePort } from '../support/free-port.js';
import { childrenOf, isAlive, listGatewayProcesses } from '../support/process-tree.js';
import { connectUntilHello, RUNTIME_ENTRY, RUNTIME_NODE, startRealGateway, type RealGateway } from '../support/real-gateway.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function spawnBrokersOf(pid: number): number[] {
  return childrenOf(pid).filter((child) => (readCmdline(child) ?? []).some((arg) => arg.includes('spawn-broker')));
}

describe('gatewayProcess actor with the real gateway', () => {
  it('is probed as a gateway, reloads on SIGUSR2 under the same PID, and terminates leaving no process behind', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ocs-e2e-proc-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const port = await freePort();
    const token = `e2e-${Date.now().toString(36)}-token`;
    const deps = { nodePath: RUNTIME_NODE, entry: RUNTIME_ENTRY, port, token, stateDir, skipChannels: true, graceMs: defaults.stopGraceMs };
    const logic = createGatewayProcessLogic(() => deps);
    const machine = setup({
      types: {} as { context: { signals: ProcessSignal[] }; events: ProcessSignal | { type: 'terminate' } | { type: 'reload' } },
      actors: { gatewayProcess: logic },
    }).createMachine({
      context: { signals: [] },
      invoke: { id: 'proc', src: 'gatewayProcess', input: { epoch: 1, key: 'default' } },
      on: {
        'process.*': { actions: assign({ signals: ({ context, event }) => [...context.signals, event as ProcessSignal] }) },
        terminate: { actions: sendTo('proc', { type: 'process.terminate' }) },
        reload: { actions: sendTo('proc', { type: 'process.reload' }) },
      },
    });
    const actor = createActor(machine).start();
    cleanups.push(async () => {
      actor.stop();
    });
    const types = () => actor.getSnapshot().context.signals.map((e) => e.type);
    const until = async <T extends ProcessSignal['type']>(type: T) => {
      await waitFor(actor, (s) => s.context.signals.some((e) => e.type === type), { timeout: 90_000 });
      return actor.getSnapshot().context.signals.find((e) => e.type === type) as Extract<ProcessSignal, { type: T }>;
    };
    const deadline = AbortSignal.timeout(90_000);

    const { pid } = await until('process.spawned');
    await waitForListening({ host: '127.0.0.1', port, signal: deadline });
    const first = await connectUntilHello(`ws://127.0.0.1:${port}`, token, deadline);
    expect(await probePort({ host: '127.0.0.1', port })).toEqual({ kind: 'gateway' });
    const brokersBefore = spawnBrokersOf(pid);
    expect(brokersBefore.length).toBeGreaterThan(0);

    // SIGUSR2: the gateway announces a restart, closes our socket, and comes back with a new bootId.
    const closed = new Promise<number>((resolve) => first.socket.once('close', (code) => resolve(code)));
    actor.send({ type: 'reload' });
    expect(await closed).toBe(1012);
    const second = await connectUntilHello(`ws://127.0.0.1:${port}`, token, deadline);
    second.socket.close();
    expect(second.bootId).not.toBe(first.bootId);
    expect(isAlive(pid)).toBe(true);
    expect(types()).toEqual(['process.spawned']);
    const brokersAfterReload = spawnBrokersOf(pid);

    actor.send({ type: 'terminate' });
    const exited = await until('process.exited');
    expect(exited).toMatchObject({ epoch: 1, pid, code: 0, signal: null });
    expect(exited.stderrTail.join('\n')).not.toContain(token);
    expect(isAlive(pid)).toBe(false);
    for (const broker of [...brokersBefore, ...brokersAfterReload]) expect(isAlive(broker)).toBe(false);
    expect(listGatewayProcesses(stateDir)).toEqual([]);
    expect(types()).toEqual(['process.spawned', 'process.exited']);
  });
});

describe('the real gateway killed with SIGKILL', () => {
  let gateway: RealGateway | undefined;
  afterAll(async () => {
    await gateway?.stop();
  });

  it('reports the SIGKILL and takes the spawn-broker down with it', async () => {
    gateway = await startRealGateway({ waitFor: 'listening' });
    const brokers = gateway.brokerPids();
    expect(brokers.length).toBeGreaterThan(0);
    // The broker sits in its own session: a process-group kill of the gateway would not reach it.
    expect(readStatField(brokers[0] as number, 'session')).not.toBe(readStatField(gateway.pid, 'session'));

    expect(gateway.kill('SIGKILL')).toBe(true);
    const exit = await gateway.exited;
    expect(exit).toMatchObject({ pid: gateway.pid, code: null, signal: 'SIGKILL' });
    for (const broker of brokers) expect(isAlive(broker)).toBe(false);
    expect(listGatewayProcesses(gateway.stateDir)).toEqual([]);
  });
});

/** The session id (field 6) of /proc/<pid>/stat. */
function readStatField(pid: number, field: 'session'): string | undefined {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return field === 'session' ? rest[3] : undefined;
}
