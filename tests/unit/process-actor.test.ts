// The gatewayProcess actor against a stand-in child (a small Node script run by the host's Node): it
// behaves like the gateway where the actor cares (prints, spawns a broker in its own session, obeys or
// ignores SIGTERM, exits 78), so every termination path runs in milliseconds. The real gateway is
// covered by tests/e2e/process-*.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { assign, createActor, sendTo, setup, waitFor } from 'xstate';
import { createGatewayProcessLogic, type GatewayProcessDeps } from '../../src/adapters/process/gateway-process.js';
import type { ProcessSignal } from '../../src/contracts/index.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';

const root = mkdtempSync(join(tmpdir(), 'ocs-actor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TOKEN = 'tok-fake-0123456789';
const fakeGateway = join(root, 'fake-gateway.mjs');
writeFileSync(
  fakeGateway,
  `
import { spawn } from 'node:child_process';
const mode = process.env.FAKE_MODE;
const token = process.env.OPENCLAW_GATEWAY_TOKEN;
process.stderr.write('\\u001b[31mstarting with token ' + token + '\\u001b[39m\\n');
if (mode === 'exit78') { process.stderr.write('Invalid config\\n'); process.exit(78); }
// Like the spawn-broker: its own session and process group, and it outlives its parent.
const broker = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { detached: true, stdio: 'ignore' });
broker.unref();
process.on('SIGUSR2', () => process.stdout.write('reloaded\\n'));
process.on('SIGTERM', () => { if (mode !== 'stubborn') process.exit(0); });
setInterval(() => {}, 1e6);
process.stdout.write('ready broker=' + broker.pid + '\\n');
`,
);

let dirCount = 0;
function deps(mode: string, extra: Partial<GatewayProcessDeps> = {}): GatewayProcessDeps & { stdout: string[] } {
  const stdout: string[] = [];
  return {
    nodePath: process.execPath,
    entry: fakeGateway,
    port: 1,
    token: TOKEN,
    stateDir: join(root, `state-${dirCount++}`),
    env: { FAKE_MODE: mode },
    graceMs: 300,
    orphanGraceMs: 200,
    onOutput: (stream, line) => {
      if (stream === 'stdout') stdout.push(line);
    },
    ...extra,
    stdout,
  };
}

function host(d: GatewayProcessDeps) {
  const machine = setup({
    types: {} as { context: { signals: ProcessSignal[] }; events: ProcessSignal | { type: 'terminate' } | { type: 'reload' } },
    actors: { gatewayProcess: createGatewayProcessLogic(() => d) },
  }).createMachine({
    context: { signals: [] },
    invoke: { id: 'proc', src: 'gatewayProcess', input: { epoch: 7, key: 'default' } },
    on: {
      'process.*': { actions: assign({ signals: ({ context, event }) => [...context.signals, event as ProcessSignal] }) },
      terminate: { actions: sendTo('proc', { type: 'process.terminate' }) },
      reload: { actions: sendTo('proc', { type: 'process.reload' }) },
    },
  });
  const actor = createActor(machine).start();
  const signals = () => actor.getSnapshot().context.signals;
  const until = async <T extends ProcessSignal['type']>(type: T) => {
    await waitFor(actor, (s) => s.context.signals.some((e) => e.type === type), { timeout: 15_000 });
    return signals().find((e) => e.type === type) as Extract<ProcessSignal, { type: T }>;
  };
  return { actor, signals, until };
}

function brokerPidFrom(stdout: string[]): number {
  const line = stdout.find((l) => l.startsWith('ready broker='));
  return Number(line?.split('=')[1]);
}

// Child processes on a loaded 2-core machine: generous bounds, never timed assertions.
describe('gatewayProcess actor (stand-in child)', { timeout: 30_000 }, () => {
  it('terminate: SIGTERM ends the child, the lingering broker is reaped, exited comes once with a clean stderr tail', async () => {
    const d = deps('obedient');
    const { actor, signals, until } = host(d);
    const spawned = await until('process.spawned');
    expect(spawned.epoch).toBe(7);
    await vi.waitFor(() => expect(d.stdout.some((l) => l.startsWith('ready'))).toBe(true), { timeout: 10_000 });
    const broker = brokerPidFrom(d.stdout);
    expect(isAlive(broker)).toBe(true);

    actor.send({ type: 'terminate' });
    const exited = await until('process.exited');
    expect(exited).toMatchObject({ epoch: 7, pid: spawned.pid, code: 0, signal: null });
    expect(isAlive(broker)).toBe(false);
    expect(listGatewayProcesses(d.stateDir)).toEqual([]);
    expect(exited.stderrTail[0]).toBe('starting with token [redacted]');
    expect(exited.stderrTail.join('\n')).not.toContain(TOKEN);
    expect(exited.uptimeMs).toBeGreaterThan(0);

    actor.stop();
    await Promise.resolve();
    expect(signals().filter((e) => e.type === 'process.exited')).toHaveLength(1);
  });

  it('terminate escalates to SIGKILL when the child ignores SIGTERM past the grace period', async () => {
    const d = deps('stubborn');
    const { actor, until } = host(d);
    await until('process.spawned');
    await vi.waitFor(() => expect(d.stdout.some((l) => l.startsWith('ready'))).toBe(true), { timeout: 10_000 });
    actor.send({ type: 'terminate' });
    expect(await until('process.exited')).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(listGatewayProcesses(d.stateDir)).toEqual([]);
    actor.stop();
  });

  it('a SIGKILL from outside is reported as exited by SIGKILL, after the broker is gone', async () => {
    const d = deps('obedient');
    const { actor, until } = host(d);
    const spawned = await until('process.spawned');
    await vi.waitFor(() => expect(d.stdout.some((l) => l.startsWith('ready'))).toBe(true), { timeout: 10_000 });
    const broker = brokerPidFrom(d.stdout);
    process.kill(spawned.pid, 'SIGKILL');
    expect(await until('process.exited')).toMatchObject({ pid: spawned.pid, signal: 'SIGKILL' });
    expect(isAlive(broker)).toBe(false);
    actor.stop();
  });

  it('a config failure exit code reaches the machine with the stderr that explains it', async () => {
    const d = deps('exit78');
    const { actor, until } = host(d);
    const exited = await until('process.exited');
    expect(exited.code).toBe(78);
    expect(exited.stderrTail).toContain('Invalid config');
    actor.stop();
  });

  it('reload sends SIGUSR2 to the same PID and does not end the child', async () => {
    const d = deps('obedient');
    const { actor, signals, until } = host(d);
    const spawned = await until('process.spawned');
    await vi.waitFor(() => expect(d.stdout.some((l) => l.startsWith('ready'))).toBe(true), { timeout: 10_000 });
    actor.send({ type: 'reload' });
    await vi.waitFor(() => expect(d.stdout).toContain('reloaded'), { timeout: 10_000 });
    expect(isAlive(spawned.pid)).toBe(true);
    expect(signals().map((e) => e.type)).toEqual(['process.spawned']);
    actor.send({ type: 'terminate' });
    await until('process.exited');
    actor.stop();
  });

  it('a runtime that cannot be spawned yields spawnFailed only, without the token in the message', async () => {
    const d = deps('obedient', { nodePath: join(root, 'no-such-node') });
    const { actor, signals, until } = host(d);
    const failed = await until('process.spawnFailed');
    expect(failed.message).toContain('ENOENT');
    expect(failed.message).not.toContain(TOKEN);
    actor.stop();
    expect(signals().map((e) => e.type)).toEqual(['process.spawnFailed']);
  });

  it('stopping the actor kills a running child and its broker', async () => {
    const d = deps('stubborn');
    const { actor, until } = host(d);
    const spawned = await until('process.spawned');
    await vi.waitFor(() => expect(d.stdout.some((l) => l.startsWith('ready'))).toBe(true), { timeout: 10_000 });
    const broker = brokerPidFrom(d.stdout);
    actor.stop();
    await vi.waitFor(() => expect([isAlive(spawned.pid), isAlive(broker)]).toEqual([false, false]), { timeout: 10_000 });
  });

  it('a terminate that arrives before the spawn completes is still carried out', async () => {
    const d = deps('obedient');
    const { actor, until } = host(d);
    actor.send({ type: 'terminate' });
    const spawned = await until('process.spawned');
    expect(await until('process.exited')).toMatchObject({ pid: spawned.pid });
    expect(listGatewayProcesses(d.stateDir)).toEqual([]);
    actor.stop();
  });
});
