// Named behaviours of the refresh machine on a simulated clock, the test playing the gateway: it
// reports lifecycle changes and answers the `gateway.restart` / `gateway.reload` it is told.
import { createActor, fromCallback, SimulatedClock, type AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { refreshMachine } from '../../src/machines/refresh/refresh.machine.js';
import { selectRefreshStatus } from '../../src/machines/refresh/selectors.js';
import type { GatewayLifecycle, RefreshEmitted, RefreshKind } from '../../src/machines/refresh/types.js';

function createRefreshRig() {
  const told: string[] = [];
  const supervisor = createActor(
    fromCallback<AnyEventObject>(({ receive }) => {
      receive((event) => told.push(event.type));
    }),
  ).start();
  const clock = new SimulatedClock();
  const emitted: RefreshEmitted[] = [];
  const actor = createActor(refreshMachine, { clock, input: { supervisor } });
  actor.on('*', (event) => emitted.push(event as RefreshEmitted));
  actor.start();
  return {
    actor,
    clock,
    told,
    emitted,
    gateway: (value: GatewayLifecycle) => actor.send({ type: 'gateway.state', value }),
    complete: (kind: RefreshKind) => actor.send({ type: 'refresh.completed', kind }),
    restarts: () => told.filter((type) => type === 'gateway.restart').length,
    reloads: () => told.filter((type) => type === 'gateway.reload').length,
    status: () => selectRefreshStatus(actor.getSnapshot()),
  };
}

describe('refresh machine', () => {
  it('50 restart requests within one second give exactly one restart', () => {
    const rig = createRefreshRig();
    rig.gateway('running');
    for (let i = 0; i < 50; i++) {
      rig.actor.send({ type: 'refresh.restart.request' });
      rig.clock.increment(20);
    }
    // The debounce counts from the last request (made at 980 ms): due at 2,980 ms.
    rig.clock.increment(2_000 - 20 - 1);
    expect(rig.restarts()).toBe(0);
    rig.clock.increment(1);
    expect(rig.restarts()).toBe(1);

    rig.gateway('starting');
    rig.gateway('running');
    rig.complete('restart');
    rig.clock.increment(60_000);
    expect(rig.restarts()).toBe(1);
    expect(rig.reloads()).toBe(0);
    expect(rig.emitted.filter((e) => e.type === 'refresh.settled')).toEqual([{ type: 'refresh.settled', kind: 'restart', outcome: 'completed' }]);
  });

  it('a restart requested while starting runs once after ready', () => {
    const rig = createRefreshRig();
    rig.gateway('starting');
    rig.actor.send({ type: 'refresh.restart.request' });
    rig.actor.send({ type: 'refresh.restart.now' });
    rig.clock.increment(5_000);
    rig.actor.send({ type: 'refresh.restart.request' });
    rig.gateway('reconnecting');
    rig.clock.increment(5_000);
    expect(rig.restarts()).toBe(0);
    expect(rig.status()).toMatchObject({ pending: 'restart', pendingPhase: 'due' });

    rig.gateway('running');
    expect(rig.restarts()).toBe(1);
    // The restart itself takes the gateway through starting again: nothing new may come of it.
    rig.gateway('starting');
    rig.gateway('running');
    rig.complete('restart');
    rig.clock.increment(60_000);
    expect(rig.restarts()).toBe(1);
    expect(rig.status()).toEqual({ pending: null, pendingPhase: null, inFlight: null, coolingDown: false });
  });

  it('restart cooldown of 2.5 s really applies', () => {
    const rig = createRefreshRig();
    rig.gateway('running');
    rig.actor.send({ type: 'refresh.restart.now' });
    expect(rig.restarts()).toBe(1);
    rig.gateway('starting');
    rig.gateway('running');
    rig.complete('restart');

    rig.clock.increment(1_000);
    rig.actor.send({ type: 'refresh.restart.now' });
    expect(rig.status()).toMatchObject({ pending: 'restart', pendingPhase: 'due', coolingDown: true });
    rig.clock.increment(1_499);
    expect(rig.restarts()).toBe(1);
    rig.clock.increment(1);
    expect(rig.restarts()).toBe(2);
  });

  it('a second restart while one is in flight joins it', () => {
    const rig = createRefreshRig();
    rig.gateway('running');
    rig.actor.send({ type: 'refresh.restart.now' });
    rig.gateway('starting');
    rig.actor.send({ type: 'refresh.restart.now' });
    expect(rig.emitted).toContainEqual({ type: 'refresh.joined', kind: 'restart' });

    rig.gateway('running');
    rig.complete('restart');
    rig.clock.increment(60_000);
    expect(rig.restarts()).toBe(1);
    expect(rig.emitted.filter((e) => e.type === 'refresh.settled')).toHaveLength(1);
  });

  it('a restart pending supersedes a pending reload', () => {
    const rig = createRefreshRig();
    rig.gateway('running');
    rig.actor.send({ type: 'refresh.reload.request' });
    rig.clock.increment(1_000);
    rig.actor.send({ type: 'refresh.restart.request' });
    rig.actor.send({ type: 'refresh.reload.request' });
    rig.clock.increment(1_999);
    expect(rig.told).toEqual([]);
    rig.clock.increment(1);
    expect(rig.told).toEqual(['gateway.restart']);
    rig.complete('restart');
    rig.clock.increment(60_000);
    expect(rig.told).toEqual(['gateway.restart']);
  });

  it('reload requests coalesce over 1.2 s of quiet and reach the gateway once', () => {
    const rig = createRefreshRig();
    rig.gateway('running');
    for (let i = 0; i < 10; i++) {
      rig.actor.send({ type: 'refresh.reload.request' });
      rig.clock.increment(1_000);
    }
    expect(rig.reloads()).toBe(0);
    rig.clock.increment(199);
    expect(rig.reloads()).toBe(0);
    rig.clock.increment(1);
    expect(rig.told).toEqual(['gateway.reload']);
    rig.complete('reload');
    expect(rig.status().coolingDown).toBe(false);
  });

  it('a request that falls due while the gateway is stopped is skipped, not kept for later', () => {
    const rig = createRefreshRig();
    rig.actor.send({ type: 'refresh.restart.request' });
    rig.clock.increment(2_000);
    expect(rig.emitted).toContainEqual({
      type: 'refresh.settled',
      kind: 'restart',
      outcome: 'skipped',
      reason: 'gateway-not-running',
    });
    rig.gateway('starting');
    rig.gateway('running');
    rig.clock.increment(60_000);
    expect(rig.told).toEqual([]);
  });
});
