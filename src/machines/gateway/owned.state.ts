// `owned`: a gateway child this supervisor spawned. The process actor lives exactly as long as this
// state (leaving it stops the actor, whose cleanup kills the child); every (re)spawn re-enters it with a
// new epoch. Inside: spawning, waiting for the listener, the linked connection (handshaking, running,
// reconnecting, reloading), restarting and stopping. An unrequested exit is a crash, decided by
// policy/crash-backoff.ts; an exit 78 before the gateway served goes to `repairing` once.
import { and, not } from 'xstate';
import { configInvalid, crashed, errorText, notListening, spawnFailed, toExit } from './failures.js';
import { connectionInput, endpointInput, gatewaySetup, instanceInput } from './gateway.setup.js';
import { handshakingState, pauseLink, pausedState, reloadProgress } from './link.states.js';

/**
 * An exit 78 only means "bad config" before the gateway ever served (later it is just a crash), so the
 * starting states (spawning, waitingReady, handshaking) take it first; `owned` handles every other exit.
 */
const configExitWhileStarting = gatewaySetup.createStateConfig({
  on: {
    'process.exited': [
      {
        guard: and(['isCurrent', 'isConfigExit', not('repairAttempted')]),
        target: '#gateway.repairing',
        actions: ['recordExit', 'markRepairing'],
      },
      {
        guard: and(['isCurrent', 'isConfigExit']),
        target: '#gateway.error',
        actions: [
          'recordExit',
          {
            type: 'fail',
            params: ({ event }) => configInvalid('the gateway exited 78 (EX_CONFIG) again after `openclaw doctor --fix`', toExit(event)),
          },
        ],
      },
    ],
  },
}).on;

/** Asked to restart while the child serves (running, reconnecting or reloading): stop it and spawn anew. */
const restartChild = gatewaySetup.createStateConfig({
  on: {
    'gateway.restart': {
      target: '#gateway.owned.restarting',
      actions: { type: 'beginRefresh', params: { kind: 'restart' } },
    },
  },
}).on;

export const ownedState = gatewaySetup.createStateConfig({
  entry: ['bumpEpoch', 'markOwned'],
  invoke: {
    id: 'process',
    src: 'gatewayProcess',
    input: ({ context }) => instanceInput(context),
    // The adapter reports spawn failures as `process.spawnFailed`; a throw at start means the same.
    onError: {
      target: 'error',
      actions: { type: 'fail', params: ({ event }) => spawnFailed(errorText(event.error)) },
    },
  },
  initial: 'spawning',
  on: {
    'gateway.stop': '.stopping',
    'process.exited': [
      {
        guard: and(['isCurrent', 'crashRespawnsNow']),
        target: '#gateway.owned',
        reenter: true,
        actions: 'recordCrash',
      },
      {
        guard: and(['isCurrent', 'crashBacksOff']),
        target: 'respawnBackoff',
        actions: 'recordCrash',
      },
      {
        guard: 'isCurrent',
        target: 'error',
        actions: ['recordCrash', { type: 'fail', params: ({ context, event }) => crashed(context, toExit(event)) }],
      },
    ],
  },
  states: {
    spawning: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'spawning' },
      on: {
        ...configExitWhileStarting,
        'process.spawned': { guard: 'isCurrent', target: 'waitingReady', actions: 'assignPid' },
        'process.spawnFailed': {
          guard: 'isCurrent',
          target: '#gateway.error',
          actions: { type: 'fail', params: ({ event }) => spawnFailed(event.message) },
        },
      },
    },
    waitingReady: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'waitingReady' },
      on: configExitWhileStarting,
      invoke: {
        id: 'waitListening',
        src: 'waitListening',
        input: ({ context }) => endpointInput(context),
        onDone: 'linked',
        onError: {
          target: '#gateway.error',
          actions: { type: 'fail', params: ({ event }) => notListening(event.error) },
        },
      },
    },
    linked: {
      invoke: { id: 'connection', src: 'connection', input: ({ self, context }) => connectionInput(self, context) },
      // Leaving the link (stop, restart, failure) must not leave a socket reconnecting on its own.
      exit: 'closeConnection',
      initial: 'handshaking',
      on: pauseLink,
      states: {
        paused: pausedState,
        handshaking: { ...handshakingState, on: { ...handshakingState.on, ...configExitWhileStarting } },
        running: {
          tags: ['ready'],
          meta: { lifecycle: 'running' },
          entry: ['markServing', 'completeRefresh'],
          // A stretch of serving without a stall: earlier stalls were blips, not a wedged child.
          after: { stallWindow: { guard: 'hasStalls', actions: 'forgetStalls' } },
          on: {
            ...restartChild,
            'connection.lost': [
              // The child is alive but its link keeps stalling: restart it, the way missed heartbeats escalate.
              { guard: 'stallLimitReached', target: '#gateway.owned.restarting', actions: 'escalateStalls' },
              { guard: 'isStall', target: 'reconnecting', actions: 'recordStall' },
              { target: 'reconnecting' },
            ],
            'gateway.reload': {
              target: 'reloading',
              actions: { type: 'beginRefresh', params: { kind: 'reload' } },
            },
          },
        },
        reconnecting: {
          meta: { lifecycle: 'reconnecting' },
          // The child is alive but unreachable: a restart is a sensible way out.
          on: { ...restartChild, 'connection.ready': { target: 'running', actions: 'assignHello' } },
        },
        reloading: {
          // SIGUSR2: the gateway restarts in process (same pid) and comes back with a new bootId.
          entry: 'reloadProcess',
          after: { reloadTimeout: { target: '#gateway.owned.restarting', actions: 'fallBackToRestart' } },
          ...reloadProgress,
          on: { ...reloadProgress.on, ...restartChild },
        },
      },
    },
    restarting: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'restarting' },
      entry: 'terminateProcess',
      // Past the deadline, leaving `owned` stops the process actor, whose cleanup kills the child.
      after: { stopTimeout: { target: '#gateway.owned', reenter: true, actions: 'resetCrashes' } },
      on: {
        'process.exited': {
          guard: 'isCurrent',
          target: '#gateway.owned',
          reenter: true,
          actions: ['recordExit', 'resetCrashes'],
        },
        'gateway.stop': 'stopping',
      },
    },
    stopping: {
      tags: ['busy'],
      meta: { lifecycle: 'stopping' },
      entry: 'terminateProcess',
      after: { stopTimeout: '#gateway.stopped' },
      on: {
        'process.exited': { guard: 'isCurrent', target: '#gateway.stopped', actions: 'recordExit' },
        'process.spawnFailed': { guard: 'isCurrent', target: '#gateway.stopped' },
        // Already stopping: without this the owned-level handler would re-enter and re-arm the deadline.
        'gateway.stop': {},
      },
    },
  },
});
