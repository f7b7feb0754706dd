// Every state and every transition of the lease chart, taken by real actors: acquiring (stagger, attempt,
// waiting for the holder or for Redis), owned with renewing (renewed, taken, Redis failing), the
// self-fencing deadline, lost and its retry, releasing and released. The Redis actors never settle by
// themselves: the model sends their done and error events, and every timer's event, so every order is walked.
import { createActor, fromPromise, SimulatedClock, waitFor, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { leaseMachine, leaseSystemId, type LeaseMachine } from '../../src/machines/lease/lease.machine.js';
import { createLeaseImplementations } from '../../src/machines/lease/lease.implementations.js';
import { selectLeaseOwned, selectLeaseStatus } from '../../src/machines/lease/selectors.js';
import type { LeaseEmitted, LeaseEvent } from '../../src/machines/lease/types.js';
import { runModelPaths, uncoveredEdges, unvisitedStates, type ModelPathOptions } from './support/graph-paths.js';

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;
const TTL = 3_000;
const TOKEN = 7;

function done(id: string, output: unknown): LeaseEvent {
  return { type: `xstate.done.actor.${id}`, output, actorId: id } as never;
}
function failed(id: string): LeaseEvent {
  return {
    type: `xstate.error.actor.${id}`,
    error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'REDIS_UNAVAILABLE' }),
    actorId: id,
  } as never;
}
const pending = () => fromPromise(() => new Promise<never>(() => {}));

const options: ModelPathOptions<LeaseMachine, Record<string, never>> = {
  machine: leaseMachine,
  input: { pool: 'model', key: 'ws://127.0.0.1:1/#abc', hostId: 'h1', ttlMs: TTL, startDelayMs: 150 },
  stateKey: (s) =>
    JSON.stringify([s.value, s.context.token ?? null, s.context.lostReason ?? null, s.context.lastError !== undefined, s.context.validForMs]),
  eventKey: (event) => JSON.stringify(event) + (event.type.startsWith('xstate.error') ? 'error' : ''),
  events: {
    'xstate.done.actor.acquireLease': () => [
      done('acquireLease', { acquired: true, token: TOKEN, elapsedMs: 4 }),
      done('acquireLease', { acquired: false, holderTtlMs: 1_200 }),
    ],
    'xstate.error.actor.acquireLease': () => [failed('acquireLease')],
    'xstate.done.actor.renewLease': () => [done('renewLease', { renewed: true, elapsedMs: 4 }), done('renewLease', { renewed: false })],
    'xstate.error.actor.renewLease': () => [failed('renewLease')],
    'xstate.done.actor.releaseLease': () => [done('releaseLease', undefined)],
    'xstate.error.actor.releaseLease': () => [failed('releaseLease')],
  },
  filterEvents: (s) => s.status !== 'done',
  createFakes: () => ({ fakes: {}, actors: { acquireLease: pending(), renewLease: pending(), releaseLease: pending() } }),
  drive: { 'xstate.after.*': (event, run) => run.actor.send(event) },
  check: ({ actor, emitted }) => {
    const s: LeaseSnapshot = actor.getSnapshot();
    const status = selectLeaseStatus(s);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    const last = (emitted as LeaseEmitted[]).at(-1);
    // The deadline is always short of the TTL by at least the safety margin: no other host can hold the key
    // while this one believes it owns it.
    expect(s.context.validForMs).toBeLessThanOrEqual(TTL - s.context.safetyMarginMs);
    if (selectLeaseOwned(s)) {
      expect(s.context.token).toBe(TOKEN);
      expect(['lease.acquired', 'lease.renewed']).toContain(last?.type);
    }
    if (s.matches('lost')) expect(last).toMatchObject({ type: 'lease.lost', token: TOKEN, reason: s.context.lostReason });
    if (s.matches('released')) expect(last?.type).toBe('lease.released');
    // Ownership is announced only with a fencing token.
    for (const e of emitted as LeaseEmitted[]) if (e.type === 'lease.acquired' || e.type === 'lease.renewed') expect(e.token).toBe(TOKEN);
  },
};

describe('lease machine model', () => {
  it('the lease takes every state and every transition of its definition', async () => {
    const report = await runModelPaths(options);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(8);
  }, 120_000);

  it('an owner whose renewals fail stands down at TTL minus the margin on its own clock, before Redis lets the key go', async () => {
    const clock = new SimulatedClock();
    let renewCalls = 0;
    const actor = createActor(
      leaseMachine.provide(
        createLeaseImplementations({
          acquire: async () => ({ acquired: true, token: 3, elapsedMs: 100 }),
          renew: async () => {
            renewCalls++;
            throw new Error('connect ECONNREFUSED');
          },
          release: () => new Promise<never>(() => {}),
        }),
      ),
      { clock, systemId: leaseSystemId('model', 'k'), input: { pool: 'model', key: 'k', hostId: 'h1', ttlMs: TTL } },
    );
    const events: LeaseEmitted[] = [];
    actor.on('*', (e) => events.push(e as LeaseEmitted));
    actor.start();
    clock.increment(0); // the stagger: this host is the key's preferred owner
    await waitFor(actor, (snapshot) => selectLeaseOwned(snapshot));
    expect(selectLeaseOwned(actor.getSnapshot())).toBe(true);
    const { safetyMarginMs } = actor.getSnapshot().context;
    // The acquire took 100 ms: the deadline counts from when the command was sent.
    const deadline = TTL - safetyMarginMs - 100;
    let elapsed = 0;
    while (elapsed < deadline - 1) {
      const step = Math.min(50, deadline - 1 - elapsed);
      clock.increment(step);
      elapsed += step;
      for (let i = 0; i < 3; i++) await Promise.resolve();
    }
    expect(selectLeaseOwned(actor.getSnapshot())).toBe(true);
    expect(renewCalls).toBeGreaterThan(1);
    clock.increment(1);
    expect(actor.getSnapshot().matches('lost')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'lease.lost', key: 'k', token: 3, reason: 'deadline' });
    expect(elapsed + 1).toBeLessThan(TTL);
    actor.send({ type: 'lease.release' });
    expect(actor.getSnapshot().status).toBe('done');
  });
});
