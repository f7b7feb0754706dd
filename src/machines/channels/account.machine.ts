// One channel account as a statechart, in three parallel regions:
// - `lifecycle`: what a reader points at (idle, disabled, unconfigured, starting, running, stopping,
//   restartPending, stopped, gaveUp, loggedOut, blocked), with the restart policy: OpenClaw's curve, a cap
//   on attempts, a reset after a stable run, a hand stop that holds until a hand start.
// - `task`: whether the plugin's task is alive. The runtime runs it from `task.live`'s entry and the region
//   leaves `live` only when that task has ended, so a task that ignores its abort keeps the region live and
//   no second task can start beside it.
// - `monitor`: the health monitor, owned by the same chart: one restart owner and one hourly budget.
//   It restarts a running account for a stale socket, a stuck run or a long disconnect, and stands aside
//   in every other state.
// Pure: the start slot, the config read and the clock are invoked actors, and the task three actions, that
// the runtime provides.
import { accountSetup, crashTransitions } from './account.setup.js';
import { NO_LINK } from './link.js';
import { defaultChannelAccountSettings, type AccountTraits, type ChannelAccountInput, type ChannelAccountSettings } from './types.js';

/** Shared empties: a context copies them by reference until the first change replaces them. */
const NO_EXTRA: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const NO_RESTARTS: number[] = Object.freeze([]) as unknown as number[];

const instance = ({ context }: { context: { channelId: string; accountId: string } }) => ({
  channelId: context.channelId,
  accountId: context.accountId,
});

/** Start afresh after a stop that may have left a task ignoring its abort: wait for a task that ignored its abort, else take a start slot. */
const handStart = [
  { guard: 'taskLive', target: '#account.lifecycle.restartPending.waitingForTask', actions: 'freshSeries' },
  { target: '#account.lifecycle.starting', actions: 'freshSeries' },
] as const;

/** Start afresh from a state no task can be alive in. */
const freshStart = { target: '#account.lifecycle.starting', actions: 'freshSeries' } as const;

/** A hand stop from a state no task can be alive in (or whose task was already aborted). */
const restStop = { target: '#account.lifecycle.stopped', actions: 'markStoppedByHand' } as const;

export const channelAccountMachine = accountSetup.createMachine({
  id: 'account',
  type: 'parallel',
  context: ({ input }) => ({
    channelId: input.channelId,
    accountId: input.accountId,
    settings: resolveAccountSettings(input),
    traits: accountTraits(input),
    healthMonitor: input.healthMonitor ?? true,
    generation: 0,
    attempts: 0,
    restartTimes: NO_RESTARTS,
    restartDelayMs: 0,
    reason: null,
    lastError: null,
    lastStartAt: null,
    lastStopAt: null,
    lastEventAt: null,
    link: NO_LINK,
    cooldownLeft: 0,
    lastRestartReason: null,
    extra: NO_EXTRA,
  }),
  on: {
    'account.resetAttempts': { actions: 'resetAttempts' },
    'monitor.configure': { actions: 'setMonitor' },
  },
  states: {
    lifecycle: {
      initial: 'idle',
      on: {
        // The plugin logged out: end the task (bounded wait) and hold until a hand start.
        'account.loggedOut': [
          { guard: 'taskLive', target: '.stopping.forLogout', actions: 'setLoggedOut' },
          { target: '.loggedOut', actions: 'setLoggedOut' },
        ],
      },
      states: {
        idle: {
          meta: { lifecycle: 'stopped', state: 'idle' },
          on: { 'account.start': freshStart, 'account.stop': restStop },
        },
        disabled: {
          meta: { lifecycle: 'stopped', state: 'disabled' },
          on: { 'account.start': freshStart, 'account.stop': restStop },
        },
        unconfigured: {
          meta: { lifecycle: 'stopped', state: 'unconfigured' },
          on: { 'account.start': freshStart, 'account.stop': restStop },
        },
        starting: {
          meta: { lifecycle: 'starting', state: 'starting' },
          initial: 'waitingForSlot',
          // The slot is held for the whole of `starting`: the invoke's cleanup gives it back.
          invoke: { id: 'startSlot', src: 'startSlot', input: instance },
          on: {
            'account.stop': [
              { guard: 'taskLive', target: 'stopping.byHand' },
              { target: 'stopped', actions: 'markStoppedByHand' },
            ],
          },
          states: {
            waitingForSlot: { on: { 'slot.granted': 'resolving' } },
            resolving: {
              // `loadConfig()` is read at each decision: a restart sees an account disabled meanwhile.
              invoke: {
                id: 'resolveAccount',
                src: 'resolveAccount',
                input: instance,
                onDone: [
                  { guard: { type: 'resolvedAs', params: { kind: 'disabled' } }, target: '#account.lifecycle.disabled', actions: 'setReason' },
                  {
                    guard: { type: 'resolvedAs', params: { kind: 'unconfigured' } },
                    target: '#account.lifecycle.unconfigured',
                    actions: 'setReason',
                  },
                  { target: 'launching' },
                ],
                onError: { target: '#account.lifecycle.unconfigured', actions: 'setResolveError' },
              },
            },
            launching: {
              entry: 'launchTask',
              on: {
                'task.started': { guard: 'isCurrentTask', target: '#account.lifecycle.running', actions: 'markStarted' },
                // Threw synchronously or settled at once: a crash like any other.
                'task.exited': crashTransitions,
                'account.status': { guard: 'blocks', target: '#account.lifecycle.blocked' },
              },
            },
          },
        },
        running: {
          meta: { lifecycle: 'ready', state: 'running' },
          initial: 'settling',
          states: {
            // Attempts reset only after a stable run: give-up stays reachable for a flapping account.
            settling: {
              // A series with no crash has nothing to reset: no timer (at 10,000 accounts each timer counts).
              always: { guard: 'noAttempts', target: 'stable' },
              after: { stableRun: { target: 'stable', actions: 'resetAttempts' } },
            },
            stable: {},
          },
          on: {
            'task.exited': crashTransitions,
            'monitor.restart': { target: 'stopping.forRestart', actions: ['chargeMonitorRestart', 'emitMonitorRestart'] },
            'account.stop': 'stopping.byHand',
            'account.status': { guard: 'blocks', target: 'blocked' },
          },
        },
        stopping: {
          meta: { lifecycle: 'recovering', state: 'stopping' },
          entry: 'abortTask',
          // Past the wait the task is called stuck; it keeps the task region live until it really ends.
          after: {
            stopWait: [
              { guard: 'stoppingByHand', target: 'stopped', actions: ['noteStuckTask', 'markStoppedByHand'] },
              { guard: 'stoppingForLogout', target: 'loggedOut', actions: 'noteStuckTask' },
              { target: 'restartPending.waitingForTask', actions: 'noteStuckTask' },
            ],
          },
          initial: 'byHand',
          states: {
            byHand: {
              meta: { lifecycle: 'stopped', state: 'stopping' },
              on: {
                'task.exited': { guard: 'isCurrentTask', target: '#account.lifecycle.stopped', actions: 'markTaskStopped' },
                // A hand start while a hand stop runs: start again once the task has ended.
                'account.start': { target: 'forRestart', actions: 'freshSeries' },
              },
            },
            forRestart: {
              on: {
                'task.exited': { guard: 'isCurrentTask', target: '#account.lifecycle.starting', actions: 'markTaskStopped' },
                'account.stop': 'byHand',
              },
            },
            forLogout: {
              meta: { lifecycle: 'stopped', state: 'stopping' },
              on: {
                'task.exited': { guard: 'isCurrentTask', target: '#account.lifecycle.loggedOut', actions: 'markTaskStopped' },
                'account.start': { target: 'forRestart', actions: 'freshSeries' },
              },
            },
          },
        },
        restartPending: {
          meta: { lifecycle: 'recovering', state: 'restartPending' },
          initial: 'backoff',
          // A hand stop ends the wait; a task that ignored its abort still keeps the task region live.
          on: { 'account.stop': { target: 'stopped', actions: 'markStoppedByHand' } },
          states: {
            backoff: {
              after: { restartDelay: '#account.lifecycle.starting' },
              // A hand start cuts the wait short and begins a new series.
              on: { 'account.start': { target: '#account.lifecycle.starting', actions: 'freshSeries' } },
            },
            // A task ignored its abort: nothing starts until it has ended (lastError names it).
            waitingForTask: {
              on: { 'task.exited': { guard: 'isCurrentTask', target: '#account.lifecycle.starting', actions: 'markTaskStopped' } },
            },
          },
        },
        stopped: {
          meta: { lifecycle: 'stopped', state: 'stopped' },
          on: { 'account.start': handStart },
        },
        gaveUp: {
          meta: { lifecycle: 'stopped', state: 'gaveUp' },
          on: { 'account.start': freshStart, 'account.stop': restStop },
        },
        loggedOut: {
          meta: { lifecycle: 'stopped', state: 'loggedOut' },
          on: { 'account.start': handStart, 'account.stop': restStop },
        },
        // The plugin says it is unhealthy: no restarts until it clears the block or a hand start.
        blocked: {
          meta: { lifecycle: 'blocked', state: 'blocked' },
          on: {
            // Only a live task can clear its block; once it has ended, a hand start is the way out.
            'account.status': { guard: 'unblocks', target: 'running' },
            'task.exited': { guard: 'isCurrentTask', actions: 'markTaskEnded' },
            'account.start': [
              { guard: 'taskLive', target: 'stopping.forRestart', actions: 'freshSeries' },
              { target: 'starting', actions: 'freshSeries' },
            ],
            'account.stop': [{ guard: 'taskLive', target: 'stopping.byHand' }, restStop],
          },
        },
      },
    },

    task: {
      initial: 'none',
      states: {
        none: { on: { 'task.launch': { target: 'live', actions: 'bumpGeneration' } } },
        // The runtime runs the task from `runTask` and forgets it in `releaseTask`; the state is left only
        // when the current task has really ended, so a task that ignores its abort keeps it live.
        live: {
          entry: 'runTask',
          exit: 'releaseTask',
          on: {
            'task.exited': { guard: 'isCurrentTask', target: 'none' },
            'account.status': { guard: 'isCurrentTask', actions: 'applyStatus' },
          },
        },
      },
    },

    monitor: {
      initial: 'grace',
      states: {
        grace: { after: { monitorGrace: 'checking' } },
        waiting: { after: { monitorInterval: 'checking' } },
        checking: {
          invoke: {
            id: 'readClock',
            src: 'readClock',
            onDone: [
              { guard: 'monitorOff', target: 'waiting' },
              { guard: 'coolingDown', target: 'waiting', actions: 'spendCooldown' },
              { guard: 'notRunning', target: 'waiting' },
              { guard: 'unhealthyWithBudget', target: 'waiting', actions: ['startCooldown', 'raiseMonitorRestart'] },
              { target: 'waiting' },
            ],
            onError: 'waiting',
          },
        },
      },
    },
  },
});

// Resolved once per settings object and per randomness, and shared by every account given the same ones:
// a manager's 10,000 accounts hold one settings object, not 10,000 copies.
const resolvedSettings = new WeakMap<object, ChannelAccountSettings>();
const defaultSettingsKey = {};
const traitsByRandom = new WeakMap<() => number, { stale: AccountTraits; noStale: AccountTraits }>();

/** The jitter's randomness and the stale-check opt-out, as one shared frozen object. */
function accountTraits(input: ChannelAccountInput): AccountTraits {
  const random = input.random ?? Math.random;
  let pair = traitsByRandom.get(random);
  if (pair === undefined) {
    pair = { stale: Object.freeze({ random, staleChecks: true }), noStale: Object.freeze({ random, staleChecks: false }) };
    traitsByRandom.set(random, pair);
  }
  return input.staleChecks === false ? pair.noStale : pair.stale;
}

/** Fills a partial input with the defaults of src/machines/defaults.ts, once per settings object. */
export function resolveAccountSettings(input: ChannelAccountInput): ChannelAccountSettings {
  const key = input.settings ?? defaultSettingsKey;
  let resolved = resolvedSettings.get(key);
  if (resolved === undefined) {
    resolved = fillAccountSettings(input.settings ?? {});
    resolvedSettings.set(key, resolved);
  }
  return resolved;
}

function fillAccountSettings(s: NonNullable<ChannelAccountInput['settings']>): ChannelAccountSettings {
  const d = defaultChannelAccountSettings;
  return {
    restartPolicy: { ...d.restartPolicy, ...s.restartPolicy },
    maxRestartAttempts: s.maxRestartAttempts ?? d.maxRestartAttempts,
    stableRunMs: s.stableRunMs ?? d.stableRunMs,
    stopWaitMs: s.stopWaitMs ?? d.stopWaitMs,
    health: { ...d.health, ...s.health },
  };
}
