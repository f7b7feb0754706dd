// Every state and every transition of the refresh machine, taken by a real actor: the definition is
// traversed with getShortestPaths and each path replayed with a simulated clock, the test playing the
// gateway (its `gateway.state` reports and its answers to `gateway.restart` / `gateway.reload`).
import { createEmptyActor, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { refreshMachine } from '../../src/machines/refresh/refresh.machine.js';
import { selectRefreshStatus } from '../../src/machines/refresh/selectors.js';
import type { GatewayLifecycle, RefreshEmitted } from '../../src/machines/refresh/types.js';
import { runModelPaths, uncoveredEdges, unvisitedStates, type ModelPathOptions } from './support/graph-paths.js';

type RefreshMachine = typeof refreshMachine;
type Snapshot = SnapshotFrom<RefreshMachine>;

const LIFECYCLE: GatewayLifecycle[] = ['stopped', 'starting', 'running', 'reconnecting', 'stopping', 'error'];

function inFlight(s: Snapshot): 'restart' | 'reload' | undefined {
  return selectRefreshStatus(s).inFlight ?? undefined;
}

const options: ModelPathOptions<RefreshMachine, Record<string, never>> = {
  machine: refreshMachine,
  // The supervisor's side is played by the test through events; what the machine tells it shows in `emit`.
  input: { supervisor: createEmptyActor() },
  stateKey: (s) => JSON.stringify(s.value),
  events: {
    'gateway.state': () => LIFECYCLE.map((value) => ({ type: 'gateway.state' as const, value })),
    // The gateway answers only what it was asked; a timed-out reload comes back as a restart.
    'refresh.completed': (s) => {
      const kind = inFlight(s);
      if (kind === undefined) return [];
      return kind === 'reload'
        ? [
            { type: 'refresh.completed', kind: 'reload' },
            { type: 'refresh.completed', kind: 'restart' },
          ]
        : [{ type: 'refresh.completed', kind: 'restart' }];
    },
    'refresh.failed': (s) => {
      const kind = inFlight(s);
      return kind === undefined ? [] : [{ type: 'refresh.failed', kind, reason: 'gateway-not-running' }];
    },
    // Raised inside the machine, never sent from outside.
    'refresh.dispatch.restart': () => [],
    'refresh.dispatch.reload': () => [],
  },
  createFakes: () => ({ fakes: {}, actors: {} }),
  // Timers of parallel regions overlap: advancing the clock for one would fire the others that are due
  // earlier, which the untimed traversal cannot know. So the model delivers each timer's event itself and
  // proves the chart right for every order of timers; the named scenarios drive the same delays with a
  // SimulatedClock (refresh.scenarios.test.ts).
  drive: { 'xstate.after.*': (event, run) => run.actor.send(event) },
  check: ({ actor, emitted }) => {
    const s = actor.getSnapshot();
    const status = selectRefreshStatus(s);
    const events = emitted as RefreshEmitted[];
    const dispatched = events.filter((e) => e.type === 'refresh.dispatched').length;
    const answered = events.filter((e) => e.type === 'refresh.settled' && e.outcome !== 'skipped').length;
    // At most one request is ever out at a time.
    expect(dispatched - answered).toBe(status.inFlight === null ? 0 : 1);
    // Eventless transitions really fire: nothing due sits still when it could run or be dropped.
    const gatewayDown = s.matches({ gateway: 'down' });
    const canRun = s.matches({ gateway: 'ready' }) && status.inFlight === null;
    if (status.pendingPhase === 'due') {
      expect(gatewayDown).toBe(false);
      expect(canRun && (status.pending === 'reload' || !status.coolingDown)).toBe(false);
    }
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  },
};

describe('refresh machine model', () => {
  it('takes every state and every transition of the definition', async () => {
    const report = await runModelPaths(options);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(20);
  }, 120_000);
});
