// Named behaviours of the gateway machine, each driven step by step with fake actors and a simulated
// clock: crashes and backoff, the one doctor repair, adoption, stale epochs, reload fallback, port clashes.
import { describe, expect, it } from 'vitest';
import { exited, flush, hello, createGatewayRig, type GatewayRig } from './gateway-harness.js';

/** The `refresh.completed` / `refresh.failed` answers the gateway gave its refresh child. */
function refreshAnswers(rig: GatewayRig) {
  return (rig.fakes.refresh.instances[0]?.received ?? []).filter((event) => event.type === 'refresh.completed' || event.type === 'refresh.failed');
}

describe('gateway machine', () => {
  it('a first crash after stable uptime respawns at once, repeated crashes back off, then error with exit code and stderr', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    await rig.bringUp();
    expect(rig.status().state).toBe('running');

    // Killed after a minute of service: respawned in the same instant, no wait.
    rig.signal(exited(rig.child().input.epoch, { code: null, signal: 'SIGKILL', uptimeMs: 60_000 }));
    expect(rig.status()).toMatchObject({ state: 'starting', phase: 'spawning', crashCount: 1 });
    expect(rig.fakes.process.instances).toHaveLength(2);

    // Then it keeps dying during startup: 2 s, 4 s, 8 s between spawns (random 0 = no jitter).
    for (const [crashCount, delayMs] of [
      [2, 2_000],
      [3, 4_000],
      [4, 8_000],
    ] as const) {
      const spawned = rig.fakes.process.instances.length;
      rig.signal(exited(rig.child().input.epoch, { code: 1, uptimeMs: 3_000, stderrTail: ['Error: boom'] }));
      expect(rig.status()).toMatchObject({ state: 'starting', phase: 'backoff', crashCount });
      rig.clock.increment(delayMs - 1);
      expect(rig.fakes.process.instances).toHaveLength(spawned);
      rig.clock.increment(1);
      expect(rig.fakes.process.instances).toHaveLength(spawned + 1);
    }

    // The fifth crash in a row is the last.
    rig.signal(exited(rig.child().input.epoch, { code: 1, uptimeMs: 3_000, stderrTail: ['Error: boom', 'at main'] }));
    expect(rig.status()).toMatchObject({
      state: 'error',
      crashCount: 5,
      error: {
        code: 'GATEWAY_CRASHED',
        reason: 'crashed',
        exitCode: 1,
        signal: null,
        stderrTail: ['Error: boom', 'at main'],
      },
    });
    rig.clock.increment(60_000);
    expect(rig.fakes.process.instances).toHaveLength(5);
    expect(rig.fakes.process.live()).toHaveLength(0);
    expect(rig.emitted.filter((e) => e.type === 'gateway.crashed').map((e) => e.type === 'gateway.crashed' && e.decision.action)).toEqual([
      'respawn-now',
      'respawn-later',
      'respawn-later',
      'respawn-later',
      'give-up',
    ]);
  });

  it('exit 78 runs doctor once then retries once, then config-invalid', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    rig.actor.send({ type: 'gateway.start' });
    rig.fakes.probePort.pending()[0]?.resolve({ kind: 'free' });
    await flush();
    rig.signal({ type: 'process.spawned', epoch: rig.child().input.epoch, pid: 101 });
    rig.signal(exited(rig.child().input.epoch, { code: 78, uptimeMs: 4_500, stderrTail: ['Config invalid'] }));
    expect(rig.status()).toMatchObject({ state: 'starting', phase: 'repairing' });
    expect(rig.fakes.doctor.pending()).toHaveLength(1);

    rig.fakes.doctor.pending()[0]?.resolve({ exitCode: 0 });
    await flush();
    expect(rig.status()).toMatchObject({ state: 'starting', phase: 'spawning' });
    rig.signal({ type: 'process.spawned', epoch: rig.child().input.epoch, pid: 102 });
    rig.signal(exited(rig.child().input.epoch, { code: 78, uptimeMs: 4_400, stderrTail: ['Config invalid', 'still'] }));

    expect(rig.status()).toMatchObject({
      state: 'error',
      error: {
        code: 'GATEWAY_CONFIG_INVALID',
        reason: 'config-invalid',
        exitCode: 78,
        stderrTail: ['Config invalid', 'still'],
      },
    });
    expect(rig.fakes.doctor.instances).toHaveLength(1);
    expect(rig.fakes.process.instances).toHaveLength(2);
  });

  it('auto adopts a gateway answering the challenge and stop leaves it running', async () => {
    const rig = createGatewayRig({ mode: 'auto' });
    await rig.bringUp({ probe: { kind: 'gateway' }, bootId: 'theirs' });
    expect(rig.status()).toMatchObject({ state: 'running', mode: 'auto', owned: false, bootId: 'theirs' });
    expect(rig.status().pid).toBeUndefined();

    const [connection] = rig.fakes.connection.live();
    rig.actor.send({ type: 'gateway.stop' });
    expect(rig.status()).toMatchObject({ state: 'stopped', owned: false });
    expect(connection?.received).toEqual([{ type: 'connection.close' }]);
    expect(connection?.alive).toBe(false);
    // Never spawned, so nothing was ever terminated or signalled.
    expect(rig.fakes.process.instances).toHaveLength(0);
  });

  it('a late exit from an old epoch is dropped', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    await rig.bringUp({ bootId: 'boot-1' });
    const oldEpoch = rig.child().input.epoch;

    // A restart replaces the child; its exit answered the terminate.
    rig.actor.send({ type: 'gateway.restart' });
    expect(rig.child().received).toEqual([{ type: 'process.terminate' }]);
    rig.signal(exited(oldEpoch, { code: 0, uptimeMs: 90_000 }));
    await rig.respawnToRunning('boot-2');
    const before = rig.actor.getSnapshot();
    expect(before.context.epoch).toBeGreaterThan(oldEpoch);

    // The old child's exit is reported again, late (a relay, a duplicate): nothing may change.
    rig.signal(exited(oldEpoch, { code: 0, uptimeMs: 90_000 }));
    const after = rig.actor.getSnapshot();
    expect(after.value).toEqual(before.value);
    expect(after.context).toEqual(before.context);
    expect(rig.actions.slice(-2)).toEqual(['dropStale', 'xstate.emit']);
    expect(rig.emitted.at(-1)).toEqual({
      type: 'gateway.dropped',
      signal: 'process.exited',
      epoch: oldEpoch,
      currentEpoch: after.context.epoch,
      reason: 'stale-epoch',
    });
  });

  it('reload without a new bootId in time falls back to restart', async () => {
    const rig = createGatewayRig({ mode: 'managed', reloadTimeoutMs: 15_000 });
    await rig.bringUp({ bootId: 'boot-1' });
    const child = rig.child();

    // The refresh child (here the fake) asks for the reload, and gets the answer.
    rig.actor.send({ type: 'refresh.spawn' });
    rig.actor.send({ type: 'gateway.reload' });
    expect(child.received).toEqual([{ type: 'process.reload' }]);
    // The socket drops and comes back to the very same boot: the config was not applied.
    rig.notice({ type: 'connection.lost', code: 1012, reason: 'service restart', expected: true });
    rig.notice({ type: 'connection.ready', hello: hello('boot-1') });
    expect(rig.status()).toMatchObject({ state: 'running', phase: 'reloading' });
    rig.clock.increment(14_999);
    expect(child.received).toEqual([{ type: 'process.reload' }]);

    rig.clock.increment(1);
    expect(rig.status()).toMatchObject({ state: 'starting', phase: 'restarting', refreshing: 'restart' });
    expect(child.received).toEqual([{ type: 'process.reload' }, { type: 'process.terminate' }]);
    expect(rig.emitted).toContainEqual({ type: 'gateway.reloadTimedOut', fallback: 'restart' });

    rig.signal(exited(child.input.epoch, { code: 0, uptimeMs: 120_000 }));
    await rig.respawnToRunning('boot-2');
    expect(rig.status()).toMatchObject({ state: 'running', bootId: 'boot-2' });
    expect(refreshAnswers(rig)).toEqual([{ type: 'refresh.completed', kind: 'restart' }]);
  });

  it('a reload that brings a new bootId completes in place, same child, no terminate', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    await rig.bringUp({ bootId: 'boot-1' });
    const child = rig.child();
    rig.actor.send({ type: 'refresh.spawn' });
    rig.actor.send({ type: 'gateway.reload' });
    rig.notice({ type: 'connection.lost', code: 1012, reason: 'service restart', expected: true });
    expect(rig.status()).toMatchObject({ state: 'reconnecting', phase: 'reloading' });
    rig.notice({ type: 'connection.ready', hello: hello('boot-2') });

    expect(rig.status()).toMatchObject({ state: 'running', bootId: 'boot-2', pid: child.input.epoch + 1000 });
    expect(rig.child()).toBe(child);
    expect(child.received).toEqual([{ type: 'process.reload' }]);
    expect(refreshAnswers(rig)).toEqual([{ type: 'refresh.completed', kind: 'reload' }]);
  });

  it('a foreign listener fails fast with PORT_IN_USE', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    rig.actor.send({ type: 'gateway.start' });
    rig.fakes.probePort.pending()[0]?.resolve({ kind: 'foreign', detail: 'HTTP 404 from something else' });
    await flush();
    expect(rig.status()).toMatchObject({
      state: 'error',
      error: {
        code: 'PORT_IN_USE',
        reason: 'port-in-use',
        details: { holder: 'foreign', detail: 'HTTP 404 from something else' },
      },
    });
    // Fails on the probe: no child, so no 22 s of bind retries before an exit 1.
    expect(rig.fakes.process.instances).toHaveLength(0);
  });

  it('managed refuses to spawn beside another gateway on its port', async () => {
    const rig = createGatewayRig({ mode: 'managed' });
    rig.actor.send({ type: 'gateway.start' });
    rig.fakes.probePort.pending()[0]?.resolve({ kind: 'gateway' });
    await flush();
    expect(rig.status()).toMatchObject({
      state: 'error',
      error: { code: 'PORT_IN_USE', details: { holder: 'gateway' } },
    });
    expect(rig.fakes.process.instances).toHaveLength(0);
  });

  it('stop terminates the owned child and waits for its exit, or leaves after the deadline and lets cleanup kill it', async () => {
    const rig = createGatewayRig({ mode: 'managed', stopTimeoutMs: 10_000 });
    await rig.bringUp();
    const child = rig.child();
    rig.actor.send({ type: 'gateway.stop' });
    expect(rig.status().state).toBe('stopping');
    expect(child.received).toEqual([{ type: 'process.terminate' }]);
    rig.signal(exited(child.input.epoch, { code: 0, uptimeMs: 40_000 }));
    expect(rig.status()).toMatchObject({ state: 'stopped' });
    expect(rig.status().pid).toBeUndefined();

    await rig.bringUp();
    const stubborn = rig.child();
    rig.actor.send({ type: 'gateway.stop' });
    rig.clock.increment(9_999);
    expect(stubborn.alive).toBe(true);
    rig.clock.increment(1);
    expect(rig.status().state).toBe('stopped');
    expect(stubborn.alive).toBe(false);
  });

  it('a paused connection (wrong token) ends in error with the pause reason', async () => {
    const rig = createGatewayRig({ mode: 'attach' });
    rig.actor.send({ type: 'gateway.start' });
    rig.notice({
      type: 'connection.paused',
      reason: 'AUTH_TOKEN_MISMATCH',
      error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch' },
    });
    expect(rig.status()).toMatchObject({
      state: 'error',
      owned: false,
      error: { code: 'CONNECTION_PAUSED', reason: 'AUTH_TOKEN_MISMATCH', details: { gatewayCode: 'INVALID_REQUEST' } },
    });
  });

  it('a restart requested while starting runs once after ready, through the real refresh child', async () => {
    const rig = createGatewayRig({ mode: 'managed' }, { keepRefresh: true });
    rig.actor.send({ type: 'gateway.start' });
    for (let i = 0; i < 5; i++) rig.actor.send({ type: 'refresh.restart.request' });
    rig.actor.send({ type: 'refresh.restart.now' });
    rig.fakes.probePort.pending()[0]?.resolve({ kind: 'free' });
    await flush();
    rig.clock.increment(10_000);
    const first = rig.child();
    expect(first.received).toEqual([]);

    await rig.respawnToRunning('boot-1');
    expect(first.received).toEqual([{ type: 'process.terminate' }]);
    rig.signal(exited(first.input.epoch, { code: 0, uptimeMs: 15_000 }));
    await rig.respawnToRunning('boot-2');
    rig.clock.increment(60_000);

    expect(rig.status()).toMatchObject({ state: 'running', bootId: 'boot-2' });
    expect(rig.fakes.process.instances).toHaveLength(2);
    expect(rig.fakes.process.instances.flatMap((i) => i.received)).toEqual([{ type: 'process.terminate' }]);
  });
  it('a link that keeps stalling while the child lives restarts the child after maxStalls, and says so in the status', async () => {
    const rig = createGatewayRig({ mode: 'managed', stalls: { maxStalls: 3, windowMs: 120_000 } });
    await rig.bringUp();
    const stall = { type: 'connection.lost', code: 4000, reason: 'pong timeout', expected: false } as const;

    // A lone stall is a blip: reconnect, and a long enough stretch of service forgets it.
    rig.notice(stall);
    expect(rig.status()).toMatchObject({ state: 'reconnecting', stalls: { recent: 1, restarts: 0 } });
    rig.notice({ type: 'connection.ready', hello: hello('boot-1') });
    rig.clock.increment(120_000);
    expect(rig.status()).toMatchObject({ state: 'running', stalls: { recent: 0, restarts: 0 } });

    // Other losses do not count.
    rig.notice({ type: 'connection.lost', code: 1006, reason: '', expected: false });
    rig.notice({ type: 'connection.ready', hello: hello('boot-1') });
    expect(rig.status().stalls).toEqual({ recent: 0, restarts: 0 });

    // Three stalls with short stretches between them: the child is restarted (terminated, then respawned).
    const first = rig.child();
    for (let i = 0; i < 2; i++) {
      rig.notice(stall);
      rig.notice({ type: 'connection.ready', hello: hello('boot-1') });
      rig.clock.increment(30_000);
    }
    expect(rig.status().stalls).toEqual({ recent: 2, restarts: 0 });
    rig.notice(stall);
    expect(rig.status()).toMatchObject({ state: 'starting', phase: 'restarting', stalls: { recent: 0, restarts: 1 } });
    expect(first.received).toContainEqual({ type: 'process.terminate' });
    expect(rig.emitted).toContainEqual({ type: 'gateway.stalled', stalls: 3 });
    rig.signal(exited(first.input.epoch, { code: 0, signal: null, uptimeMs: 200_000 }));
    await rig.respawnToRunning('boot-2');
    expect(rig.status()).toMatchObject({ state: 'running', crashCount: 0, stalls: { recent: 0, restarts: 1 } });
  });
});
