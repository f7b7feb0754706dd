// Every state and every transition of the dual-path chart (the fleet client's WebSocket-or-HTTP path), taken
// by a real actor: the definition is traversed with getShortestPaths and each path replayed with a simulated
// clock. The test plays the connection child (its notices), and settles the sync and the poll.
import { fromCallback, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { dualPathMachine, type DualPathMachine } from '../../src/machines/dual-path/dual-path.machine.js';
import { selectDualPathStatus, selectFleetPath } from '../../src/machines/dual-path/selectors.js';
import type { DualPathEmitted, PollInput, SyncInput } from '../../src/machines/dual-path/types.js';
import { TEST_HELLO } from './support/connection-harness.js';
import { createFakePromiseActor, type FakePromiseActor, type FakePromiseInstance } from './gateway-harness.js';
import { runModelPaths, uncoveredEdges, unvisitedStates, type Driver, type ModelPathOptions } from './support/graph-paths.js';

type Snapshot = SnapshotFrom<DualPathMachine>;
interface Fakes {
  sync: FakePromiseActor<void, SyncInput>;
  poll: FakePromiseActor<void, PollInput>;
}

const options: ModelPathOptions<DualPathMachine, Fakes> = {
  machine: dualPathMachine,
  input: { key: 'model', url: 'ws://127.0.0.1:1/', wsReadyTimeoutMs: 30_000, pollIntervalMs: 5_000, lossGraceMs: 10_000 },
  stateKey: (s) => JSON.stringify([s.value, s.context.lastPollFailure !== undefined, s.context.lastSyncFailure !== undefined]),
  events: {
    'connection.ready': () => [{ type: 'connection.ready', hello: TEST_HELLO }],
    'connection.lost': () => [{ type: 'connection.lost', code: 1006, reason: 'gone', expected: false }],
    'connection.paused': () => [{ type: 'connection.paused', reason: 'AUTH_TOKEN_MISMATCH' }],
    'xstate.done.actor.sync': () => [{ type: 'xstate.done.actor.sync', output: undefined, actorId: 'sync' } as never],
    'xstate.error.actor.sync': () => [
      { type: 'xstate.error.actor.sync', error: { code: 'REQUEST_TIMEOUT', message: 'agents.list timed out' }, actorId: 'sync' } as never,
    ],
    'xstate.done.actor.poll': () => [{ type: 'xstate.done.actor.poll', output: undefined, actorId: 'poll' } as never],
    'xstate.error.actor.poll': () => [
      { type: 'xstate.error.actor.poll', error: { code: 'FLEET_HTTP_FAILED', message: '/tools/invoke: unauthorized' }, actorId: 'poll' } as never,
    ],
  },
  createFakes: () => {
    const fakes: Fakes = { sync: createFakePromiseActor(), poll: createFakePromiseActor() };
    return { fakes, actors: { connection: fromCallback(() => () => {}), initialSync: fakes.sync.logic, httpPoll: fakes.poll.logic } };
  },
  drive: {
    'xstate.done.actor.sync': settle((f) => f.sync),
    'xstate.error.actor.sync': settle((f) => f.sync),
    'xstate.done.actor.poll': settle((f) => f.poll),
    'xstate.error.actor.poll': settle((f) => f.poll),
  },
  check: ({ actor, fakes, emitted }) => {
    const s: Snapshot = actor.getSnapshot();
    const path = selectFleetPath(s);
    // The poller runs only on the HTTP path, the sync only right after a hello-ok: never both at once.
    expect(fakes.poll.pending().length).toBe(s.matches({ running: { http: 'fetching' } }) ? 1 : 0);
    expect(fakes.sync.pending().length).toBe(s.matches({ running: { websocket: 'syncing' } }) ? 1 : 0);
    expect(s.children.connection !== undefined).toBe(s.matches('running'));
    const paths = (emitted as DualPathEmitted[]).filter((e) => e.type === 'fleet.path');
    expect(paths.at(-1)).toEqual({ type: 'fleet.path', path });
    const status = selectDualPathStatus(s);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    if (s.matches({ running: { http: 'failing' } }))
      expect(status.lastPollFailure).toEqual({ code: 'FLEET_HTTP_FAILED', message: '/tools/invoke: unauthorized' });
  },
};

function settle(pick: (fakes: Fakes) => { pending(): Array<FakePromiseInstance<void, unknown>> }): Driver<DualPathMachine, Fakes> {
  return async (event, run) => {
    const [instance] = pick(run.fakes).pending();
    if (!instance) throw new Error(`no pending actor for ${event.type}`);
    if (event.type.startsWith('xstate.done.')) instance.resolve(undefined);
    else instance.reject((event as unknown as { error: unknown }).error);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
}

describe('dual-path machine model', () => {
  it('takes every state and every transition of the definition', async () => {
    const report = await runModelPaths(options);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(10);
  }, 120_000);
});
