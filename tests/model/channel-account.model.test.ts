// Every state and every transition of the channel account machine, taken by a real actor: the definition
// is traversed with getShortestPaths and each path replayed with a fake task, start slot, config read and
// clock, the test playing the plugin (its task's signals) and the host (hand start, stop, logout).
import { fromCallback, fromPromise, type SnapshotFrom } from 'xstate';
import type { AccountSelf } from '../../src/machines/channels/account.setup.js';
import { describe, expect, it } from 'vitest';
import { channelAccountMachine } from '../../src/machines/channels/account.machine.js';
import { selectAccountStatus } from '../../src/machines/channels/selectors.js';
import type { ChannelAccountContext, ChannelAccountEvent, TaskActorInput, TaskCommand, TaskSignal } from '../../src/machines/channels/types.js';
import { runModelPaths, uncoveredEdges, unvisitedStates, type ModelPathOptions } from './support/graph-paths.js';

type AccountMachine = typeof channelAccountMachine;
type Snapshot = SnapshotFrom<AccountMachine>;

/** One task the chart ran (through its `runTask` action), as the runtime's task runner would hold it. */
interface FakeTask {
  input: TaskActorInput;
  /** Commands the chart gave it (`abortTask`). */
  received: TaskCommand[];
  /** False once the chart released it (`releaseTask`, when it left `task.live`). */
  alive: boolean;
  /** Reports to the account the way the real runner does. */
  send(signal: TaskSignal): void;
}

interface Fakes {
  task: { instances: FakeTask[]; live(): FakeTask[] };
  slots: { alive: number };
}

type TaskArgs = { context: ChannelAccountContext; self: AccountSelf };

function createFakeTasks() {
  const instances: FakeTask[] = [];
  const current = (context: ChannelAccountContext) => instances.find((i) => i.alive && i.input.generation === context.generation);
  return {
    fake: { instances, live: () => instances.filter((i) => i.alive) },
    actions: {
      runTask: ({ context, self }: TaskArgs) => {
        const instance: FakeTask = {
          input: { channelId: context.channelId, accountId: context.accountId, generation: context.generation },
          received: [],
          alive: true,
          send: (signal) => {
            if (!instance.alive) throw new Error(`fake task: send(${signal.type}) after it was released`);
            self.send(signal);
          },
        };
        instances.push(instance);
      },
      abortTask: ({ context }: TaskArgs) => current(context)?.received.push({ type: 'task.abort' }),
      releaseTask: ({ context }: TaskArgs) => {
        const instance = current(context);
        if (instance) instance.alive = false;
      },
    },
  };
}

const LATE = 10_000_000_000;
const running = (s: Snapshot) => s.matches({ lifecycle: 'running' });
const taskLive = (s: Snapshot) => s.matches({ task: 'live' });
const monitorMatters = (s: Snapshot) =>
  (s.matches({ lifecycle: 'idle' }) && s.context.healthMonitor !== undefined) || running(s) || s.context.cooldownLeft > 0;

function done(id: string, output: unknown): ChannelAccountEvent {
  return { type: `xstate.done.actor.${id}`, output, actorId: id } as never;
}
function failed(id: string, message: string): ChannelAccountEvent {
  return { type: `xstate.error.actor.${id}`, error: new Error(message), actorId: id } as never;
}

const options: ModelPathOptions<AccountMachine, Fakes> = {
  machine: channelAccountMachine,
  // Two attempts and a budget of two restarts an hour keep the graph small and still show give-up, the
  // budget's wait and the cooldown (the in-process tests run the defaults).
  input: {
    channelId: 'chat',
    accountId: 'a1',
    random: () => 0.5,
    settings: { maxRestartAttempts: 2, health: { maxRestartsPerHour: 2, cooldownChecks: 1 } },
  },
  stateKey: (s) =>
    JSON.stringify([
      s.value,
      s.context.attempts,
      s.context.restartTimes.length,
      s.context.cooldownLeft,
      s.context.healthMonitor,
      s.context.link.connected ?? null,
      s.context.link.busy,
    ]),
  eventKey: (event) => {
    const { at: _at, generation, ...rest } = event as { at?: number; generation?: number } & Record<string, unknown>;
    return (
      JSON.stringify({ ...rest, ...(generation === undefined ? {} : { generation: 'current' }) }) +
      (event.type.startsWith('xstate.error') ? 'error' : '')
    );
  },
  events: {
    'account.start': () => [{ type: 'account.start', at: 1_000 }],
    'account.stop': () => [{ type: 'account.stop', at: 2_000 }],
    'account.loggedOut': (s) =>
      s.context.attempts === 0 && s.context.restartTimes.length === 0 ? [{ type: 'account.loggedOut', cleared: true, at: 3_000 }] : [],
    // Root-level: the same everywhere, sampled where nothing else happens.
    'account.resetAttempts': (s) => (s.matches({ lifecycle: 'gaveUp' }) ? [{ type: 'account.resetAttempts' }] : []),
    'monitor.configure': (s) =>
      s.matches({ lifecycle: 'idle' }) && s.matches({ monitor: 'grace' }) ? [{ type: 'monitor.configure', enabled: !s.context.healthMonitor }] : [],
    'slot.granted': () => [{ type: 'slot.granted' }],
    'task.started': (s) => (taskLive(s) ? [{ type: 'task.started', generation: s.context.generation, at: 1_000 }] : []),
    'task.exited': (s) => (taskLive(s) ? [{ type: 'task.exited', generation: s.context.generation, at: 5_000, error: 'boom' }] : []),
    'account.status': (s) => {
      if (!taskLive(s)) return [];
      const status = (patch: Record<string, unknown>) => ({ type: 'account.status' as const, generation: s.context.generation, at: 1_500, patch });
      if (s.matches({ lifecycle: 'blocked' })) return [status({ blocked: false })];
      const samples = [status({ blocked: 'token revoked' })];
      if (running(s) && s.context.attempts === 0 && s.context.restartTimes.length === 0) {
        samples.push(status({ connected: true }), status({ connected: false }), status({ busy: true }));
      }
      return samples;
    },
    'xstate.done.actor.resolveAccount': () => [
      done('resolveAccount', { kind: 'ready' }),
      done('resolveAccount', { kind: 'disabled', reason: 'disabled in config' }),
      done('resolveAccount', { kind: 'unconfigured', reason: 'no token' }),
    ],
    'xstate.error.actor.resolveAccount': () => [failed('resolveAccount', 'resolveAccount: bad config')],
    'xstate.done.actor.readClock': (s) => (running(s) ? [done('readClock', 1_000), done('readClock', LATE)] : [done('readClock', 1_000)]),
    'xstate.error.actor.readClock': (s) => (s.matches({ lifecycle: 'idle' }) ? [failed('readClock', 'no clock')] : []),
    // Raised inside the machine, never sent from outside.
    'task.launch': () => [],
    'monitor.restart': () => [],
  },
  // The monitor region multiplies every other state; each of its edges needs only a few of them. So the
  // walk explores the lifecycle with the monitor in its grace, and the monitor where it decides something.
  filterEvents: (s, event) => {
    const monitorEvent = /^xstate\.(after\.monitor|done\.actor\.readClock|error\.actor\.readClock)/.test(event.type);
    if (!s.context.healthMonitor) return monitorEvent && s.matches({ lifecycle: 'idle' });
    if (monitorEvent) return monitorMatters(s);
    const quiet = s.context.link.connected === undefined && !s.context.link.busy;
    if (!quiet) return running(s) ? event.type !== 'account.status' : s.matches({ lifecycle: 'stopping' });
    if (!s.matches({ monitor: 'grace' })) return running(s) && s.context.attempts === 0;
    return true;
  },
  createFakes: () => {
    const tasks = createFakeTasks();
    const slots = { alive: 0 };
    return {
      fakes: { task: tasks.fake, slots },
      actions: tasks.actions as never,
      actors: {
        startSlot: fromCallback(() => {
          slots.alive++;
          return () => {
            slots.alive--;
          };
        }),
        // Settled by the model's own done/error events.
        resolveAccount: fromPromise(() => new Promise<never>(() => {})),
        readClock: fromPromise(() => new Promise<never>(() => {})),
      },
    };
  },
  // Timers of parallel regions overlap: the model delivers each timer's event itself, so the chart is
  // proved right for every order of timers (the in-process tests drive the same delays on a clock).
  drive: {
    'xstate.after.*': (event, run) => run.actor.send(event),
    'task.*': (event, run) => deliver(run.fakes, run.actor, event),
    'account.status': (event, run) => deliver(run.fakes, run.actor, event),
  },
  check: ({ actor, fakes }) => {
    const s = actor.getSnapshot();
    const status = selectAccountStatus(s, 0);
    // One task at most, and it is the current generation's.
    expect(fakes.task.live().map((i) => i.input.generation)).toEqual(taskLive(s) ? [s.context.generation] : []);
    // The start slot is held exactly while starting.
    expect(fakes.slots.alive).toBe(s.matches({ lifecycle: 'starting' }) ? 1 : 0);
    if (s.matches({ lifecycle: 'stopping' })) expect(fakes.task.live()[0]?.received).toContainEqual({ type: 'task.abort' });
    expect(status.running).toBe(taskLive(s));
    expect(status.restartPending).toBe(s.matches({ lifecycle: 'restartPending' }));
    expect(s.context.attempts).toBeLessThanOrEqual(3);
    expect(s.context.restartTimes.length).toBeLessThanOrEqual(2);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    // xstate's assign copies the context with Object.assign; past 19 fields V8 keeps the copy as a hash
    // table, about 1.6 KB per account (docs/decisions.md): group new fields instead of adding them flat.
    expect(Object.keys(s.context).length).toBeLessThanOrEqual(19);
  },
};

function deliver(fakes: Fakes, actor: { send(event: ChannelAccountEvent): void }, event: ChannelAccountEvent): void {
  const [instance] = fakes.task.live();
  if (instance) instance.send(event as TaskSignal);
  else actor.send(event);
}

describe('channel account machine model', () => {
  it('takes every state and every transition of the definition', async () => {
    const report = await runModelPaths(options);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(30);
  }, 120_000);
});
