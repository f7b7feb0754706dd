// Every state and every transition of the pool charts, taken by real actors: the pool entry (one shared
// connection: users, pending requests, the acquire deadline, idle timeout, refusal pause, deferred release
// check) and the pool that spawns one entry per key. The connection child is played by the test, which
// sends its notices; the socket never exists.
import { createActor, fromCallback, type InspectionEvent, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../src/machines/connection/index.js';
import type { SocketActorInput, SocketCommand } from '../../src/contracts/index.js';
import { poolEntryMachine, type PoolEntryMachine } from '../../src/machines/pool/pool-entry.machine.js';
import { poolMachine, poolEntrySystemId } from '../../src/machines/pool/pool.machine.js';
import { selectPoolEntryStatus } from '../../src/machines/pool/selectors.js';
import type { PoolEntryEmitted } from '../../src/machines/pool/types.js';
import type { WireError } from '../../src/protocol/index.js';
import { TEST_HELLO } from './support/connection-harness.js';
import { edgeKeyOf, listMachineEdges } from './support/edges.js';
import { runModelPaths, uncoveredEdges, unvisitedStates, type ModelPathOptions } from './support/graph-paths.js';

type EntrySnapshot = SnapshotFrom<PoolEntryMachine>;

const WRONG_TOKEN: WireError = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway token mismatch',
  details: { code: 'AUTH_TOKEN_MISMATCH' },
};

const idleConnection = () => fromCallback(() => () => {});
/** The real connection chart over a socket that never says anything: the typed way to provide the child. */
const quietConnection = connectionMachine.provide({ actors: { gatewaySocket: fromCallback<SocketCommand, SocketActorInput>(() => () => {}) } });

const entryOptions: ModelPathOptions<PoolEntryMachine, Record<string, never>> = {
  machine: poolEntryMachine,
  input: { key: 'ws://127.0.0.1:1/#abc', url: 'ws://127.0.0.1:1/', acquireTimeoutMs: 10_000, idleTimeoutMs: 60_000 },
  // Users and pending requests are bounded by the event filter below, so they can be part of the key.
  stateKey: (s) => JSON.stringify([s.value, s.context.users, s.context.pending]),
  filterEvents: (s, event) => {
    // `closed` is final: the actor is stopped and hears nothing more.
    if (s.status === 'done') return false;
    if (event.type === 'entry.acquire') return s.context.users < 2;
    if (event.type === 'entry.release') return s.context.users > 0;
    if (event.type === 'entry.requestStarted') return s.context.pending < 1;
    if (event.type === 'entry.requestSettled') return s.context.pending > 0;
    return true;
  },
  events: {
    'connection.ready': () => [{ type: 'connection.ready', hello: TEST_HELLO }],
    'connection.lost': () => [{ type: 'connection.lost', code: 1006, reason: 'gone', expected: false }],
    'connection.paused': () => [{ type: 'connection.paused', reason: 'AUTH_TOKEN_MISMATCH', error: WRONG_TOKEN }],
  },
  createFakes: () => ({ fakes: {}, actors: { connection: idleConnection() } }),
  // The deferred release check (a delayed raise) and the timers are delivered by the model itself, so every
  // order of them is proven; advancing a clock would fire the pending check before the timer under test.
  drive: { 'xstate.after.*': (event, run) => run.actor.send(event) },
  check: ({ actor, emitted }) => {
    const s: EntrySnapshot = actor.getSnapshot();
    const status = selectPoolEntryStatus(s);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    // The connection child lives exactly while the entry is live.
    expect(s.children.connection !== undefined).toBe(s.matches('live'));
    const events = emitted as PoolEntryEmitted[];
    if (s.matches('closed')) expect(events.at(-1)?.type).toBe('entry.closed');
    if (s.matches('refused')) expect(events.at(-1)).toMatchObject({ type: 'entry.refused', reason: 'AUTH_TOKEN_MISMATCH' });
    if (s.matches('unreachable')) expect(events.at(-1)).toMatchObject({ type: 'entry.unreachable', timeoutMs: 10_000 });
    // A closed entry with users or requests left was closed by the host or for idleness, never by a release.
    if (s.context.closeReason === 'released') expect([s.context.users, s.context.pending]).toEqual([0, 0]);
    if (s.context.closeReason === 'idle') expect(s.context.pending).toBe(0);
  },
};

/**
 * The pool's own chart is four transitions; the graph traversal cannot walk it because spawning with a
 * systemId registers the child in the traversal's one shared system, so two branches that add the same key
 * clash. One real actor takes every edge instead, and the test proves it did.
 */
function walkPool(): { covered: Set<string>; checks: () => void } {
  const covered = new Set<string>();
  const actor = createActor(poolMachine.provide({ actors: { entry: poolEntryMachine.provide({ actors: { connection: quietConnection } }) } }), {
    input: { name: 'model' },
    inspect: (event: InspectionEvent) => {
      if (event.type === '@xstate.microstep' && event.actorRef === actor) for (const t of event._transitions) covered.add(edgeKeyOf(t));
    },
  });
  actor.start();
  const entries = () => actor.getSnapshot().context.entries;
  const add = (key: string) => actor.send({ type: 'pool.add', input: { key, url: `ws://127.0.0.1:1/${key}` } });
  add('a');
  const first = entries().a;
  add('a'); // a known key: no second entry
  add('b');
  expect(Object.keys(entries()).sort()).toEqual(['a', 'b']);
  expect(entries().a).toBe(first);
  for (const [key, ref] of Object.entries(entries())) expect(actor.system.get(poolEntrySystemId('model', key))).toBe(ref);
  actor.send({ type: 'pool.remove', key: 'a' });
  expect(first?.getSnapshot().status).toBe('stopped');
  expect(actor.system.get(poolEntrySystemId('model', 'a'))).toBeUndefined();
  actor.send({ type: 'pool.remove', key: 'a' }); // unknown now: nothing happens
  add('a'); // the same key again gets a fresh entry under the same systemId
  expect(actor.system.get(poolEntrySystemId('model', 'a'))).toBe(entries().a);
  const remaining = Object.values(entries());
  actor.send({ type: 'pool.close' });
  return {
    covered,
    checks: () => {
      expect(actor.getSnapshot().status).toBe('done');
      for (const ref of remaining) expect(ref.getSnapshot().status).toBe('stopped');
    },
  };
}

describe('pool machines model', () => {
  it('the pool entry takes every state and every transition of its definition', async () => {
    const report = await runModelPaths(entryOptions);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(10);
  }, 120_000);

  it('the pool takes every transition: entries spawned once per key under their systemIds, removed, stopped on close', () => {
    const { covered, checks } = walkPool();
    checks();
    expect(
      listMachineEdges(poolMachine)
        .map((edge) => edge.key)
        .filter((key) => !covered.has(key)),
    ).toEqual([]);
  });
});
