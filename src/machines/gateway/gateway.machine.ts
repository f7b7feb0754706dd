// The gateway lifecycle: start (probe the port, spawn or adopt or attach, wait for the listener,
// handshake), run, ride out connection losses, respawn crashed children, repair a bad config once,
// restart and reload on request, stop. Pure: every effect is an invoked actor provided by the runtime.
//
// Lifetimes are states: the child process lives exactly as long as `owned` (the invoke's cleanup kills
// it), a connection as long as `owned.linked` or `attached`. Lifecycle names for hosts (stopped,
// starting, running, reconnecting, stopping, error) are in each state's `meta`, read by selectors.ts.
import { and, not } from 'xstate';
import { configInvalid, crashed, errorText, notListening, paused, portInUse, probeFailed, spawnFailed, toExit } from './failures.js';
import { connectionInput, gatewaySetup } from './gateway.setup.js';
import { resolveGatewaySettings } from './settings.js';

export const gatewayMachine = gatewaySetup.createMachine({
  id: 'gateway',
  context: ({ input }) => ({
    settings: resolveGatewaySettings(input),
    mode: input.mode,
    epoch: 0,
    owned: input.mode !== 'attach',
    pid: undefined,
    bootId: undefined,
    serverVersion: undefined,
    crashCount: 0,
    respawnDelayMs: 0,
    repairAttempted: false,
    refreshing: undefined,
    lastExit: undefined,
    error: undefined,
  }),
  invoke: {
    id: 'refresh',
    systemId: 'refresh',
    src: 'refresh',
    input: ({ self, context }) => ({ supervisor: self, ...context.settings.refresh }),
  },
  on: {
    'refresh.restart.request': { actions: 'forwardToRefresh' },
    'refresh.reload.request': { actions: 'forwardToRefresh' },
    'refresh.restart.now': { actions: 'forwardToRefresh' },
    'refresh.reload.now': { actions: 'forwardToRefresh' },
    // Reached only where no state takes the refresh (not running): say so, or the refresh waits forever.
    'gateway.restart': { actions: 'refuseRefresh' },
    'gateway.reload': { actions: 'refuseRefresh' },
    // Process signals land here when no state took them: from an older epoch, or out of place.
    'process.spawned': [
      { guard: 'isStale', actions: ['dropStale', { type: 'announceDrop', params: { reason: 'stale-epoch' } }] },
      { actions: ['ignoreUnexpected', { type: 'announceDrop', params: { reason: 'unexpected' } }] },
    ],
    'process.spawnFailed': [
      { guard: 'isStale', actions: ['dropStale', { type: 'announceDrop', params: { reason: 'stale-epoch' } }] },
      { actions: ['ignoreUnexpected', { type: 'announceDrop', params: { reason: 'unexpected' } }] },
    ],
    'process.exited': [
      { guard: 'isStale', actions: ['dropStale', { type: 'announceDrop', params: { reason: 'stale-epoch' } }] },
      { actions: ['ignoreUnexpected', { type: 'announceDrop', params: { reason: 'unexpected' } }] },
    ],
  },
  initial: 'stopped',
  states: {
    stopped: {
      meta: { lifecycle: 'stopped' },
      entry: ['bumpEpoch', 'forgetGateway', { type: 'failRefresh', params: { reason: 'stopped' } }, { type: 'report', params: { value: 'stopped' } }],
      on: {
        'gateway.start': [
          { guard: { type: 'inMode', params: { mode: 'attach' } }, target: 'attached', actions: 'beginLifecycle' },
          { target: 'probing', actions: 'beginLifecycle' },
        ],
      },
    },

    error: {
      meta: { lifecycle: 'error' },
      entry: ['bumpEpoch', 'forgetGateway', { type: 'failRefresh', params: { reason: 'failed' } }, { type: 'report', params: { value: 'error' } }],
      on: {
        'gateway.start': [
          { guard: { type: 'inMode', params: { mode: 'attach' } }, target: 'attached', actions: 'beginLifecycle' },
          { target: 'probing', actions: 'beginLifecycle' },
        ],
        'gateway.stop': { target: 'stopped', actions: 'clearError' },
      },
    },

    probing: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'probing' },
      entry: ['bumpEpoch', { type: 'report', params: { value: 'starting' } }],
      invoke: {
        id: 'probePort',
        src: 'probePort',
        input: ({ context }) => ({ epoch: context.epoch }),
        onDone: [
          { guard: { type: 'portFree', params: ({ event }) => ({ seen: event.output.kind }) }, target: 'owned' },
          {
            guard: { type: 'adoptable', params: ({ context, event }) => ({ seen: event.output.kind, mode: context.mode }) },
            target: 'attached',
          },
          {
            target: 'error',
            actions: {
              type: 'fail',
              params: ({ event }) => portInUse(event.output.kind === 'gateway' ? 'gateway' : 'foreign', event.output.kind === 'foreign' ? event.output.detail : undefined),
            },
          },
        ],
        onError: {
          target: 'error',
          actions: { type: 'fail', params: ({ event }) => probeFailed(event.error) },
        },
      },
      on: { 'gateway.stop': 'stopped' },
    },

    owned: {
      entry: ['bumpEpoch', 'markOwned'],
      invoke: {
        id: 'process',
        src: 'gatewayProcess',
        input: ({ context }) => ({ epoch: context.epoch }),
        // The adapter reports spawn failures as `process.spawnFailed`; a throw at start means the same.
        onError: { target: 'error', actions: { type: 'fail', params: ({ event }) => spawnFailed(errorText(event.error)) } },
      },
      initial: 'spawning',
      on: {
        'gateway.stop': '.stopping',
        'process.exited': [
          {
            guard: and(['isCurrent', 'isConfigExit', 'whileStarting', not('repairAttempted')]),
            target: 'repairing',
            actions: ['recordExit', 'markRepairing'],
          },
          {
            guard: and(['isCurrent', 'isConfigExit', 'whileStarting']),
            target: 'error',
            actions: [
              'recordExit',
              { type: 'fail', params: ({ event }) => configInvalid('the gateway exited 78 (EX_CONFIG) again after `openclaw doctor --fix`', toExit(event)) },
            ],
          },
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
          entry: { type: 'report', params: { value: 'starting' } },
          on: {
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
          entry: { type: 'report', params: { value: 'starting' } },
          invoke: {
            id: 'waitListening',
            src: 'waitListening',
            input: ({ context }) => ({ epoch: context.epoch }),
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
          on: {
            'connection.paused': {
              target: '#gateway.error',
              actions: { type: 'fail', params: ({ event }) => paused(event.reason, event.error) },
            },
          },
          states: {
            handshaking: {
              tags: ['busy'],
              meta: { lifecycle: 'starting', phase: 'handshaking' },
              entry: { type: 'report', params: { value: 'starting' } },
              on: { 'connection.ready': { target: 'running', actions: 'assignHello' } },
            },
            running: {
              tags: ['ready'],
              meta: { lifecycle: 'running' },
              entry: ['markServing', 'completeRefresh', { type: 'report', params: { value: 'running' } }],
              on: {
                'connection.lost': 'reconnecting',
                'gateway.restart': { target: '#gateway.owned.restarting', actions: { type: 'beginRefresh', params: { kind: 'restart' } } },
                'gateway.reload': { target: 'reloading', actions: { type: 'beginRefresh', params: { kind: 'reload' } } },
              },
            },
            reconnecting: {
              meta: { lifecycle: 'reconnecting' },
              entry: { type: 'report', params: { value: 'reconnecting' } },
              on: {
                'connection.ready': { target: 'running', actions: 'assignHello' },
                // The child is alive but unreachable: a restart is a sensible way out.
                'gateway.restart': { target: '#gateway.owned.restarting', actions: { type: 'beginRefresh', params: { kind: 'restart' } } },
              },
            },
            reloading: {
              // SIGUSR2: the gateway restarts in process (same pid) and comes back with a new bootId.
              entry: 'reloadProcess',
              after: { reloadTimeout: { target: '#gateway.owned.restarting', actions: 'fallBackToRestart' } },
              initial: 'connected',
              on: {
                'connection.ready': [
                  { guard: 'isNewBoot', target: 'running', actions: 'assignHello' },
                  { target: '.connected', actions: 'assignHello' },
                ],
                'gateway.restart': { target: '#gateway.owned.restarting', actions: { type: 'beginRefresh', params: { kind: 'restart' } } },
              },
              states: {
                connected: {
                  meta: { lifecycle: 'running', phase: 'reloading' },
                  entry: { type: 'report', params: { value: 'running' } },
                  on: { 'connection.lost': 'disconnected' },
                },
                disconnected: {
                  meta: { lifecycle: 'reconnecting', phase: 'reloading' },
                  entry: { type: 'report', params: { value: 'reconnecting' } },
                },
              },
            },
          },
        },
        restarting: {
          tags: ['busy'],
          meta: { lifecycle: 'starting', phase: 'restarting' },
          entry: ['terminateProcess', { type: 'report', params: { value: 'starting' } }],
          // Past the deadline, leaving `owned` stops the process actor, whose cleanup kills the child.
          after: { stopTimeout: { target: '#gateway.owned', reenter: true, actions: 'resetCrashes' } },
          on: {
            'process.exited': { guard: 'isCurrent', target: '#gateway.owned', reenter: true, actions: ['recordExit', 'resetCrashes'] },
            'gateway.stop': 'stopping',
          },
        },
        stopping: {
          tags: ['busy'],
          meta: { lifecycle: 'stopping' },
          entry: ['terminateProcess', { type: 'report', params: { value: 'stopping' } }],
          after: { stopTimeout: '#gateway.stopped' },
          on: {
            'process.exited': { guard: 'isCurrent', target: '#gateway.stopped', actions: 'recordExit' },
            'process.spawnFailed': { guard: 'isCurrent', target: '#gateway.stopped' },
            // Already stopping: without this the owned-level handler would re-enter and re-arm the deadline.
            'gateway.stop': {},
          },
        },
      },
    },

    repairing: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'repairing' },
      entry: { type: 'report', params: { value: 'starting' } },
      invoke: {
        id: 'doctor',
        src: 'doctor',
        input: ({ context }) => ({ epoch: context.epoch }),
        onDone: [
          { guard: { type: 'doctorRepaired', params: ({ event }) => ({ exitCode: event.output.exitCode }) }, target: 'owned' },
          {
            target: 'error',
            actions: { type: 'fail', params: ({ context, event }) => configInvalid(`\`openclaw doctor --fix\` exited ${event.output.exitCode}`, context.lastExit) },
          },
        ],
        onError: {
          target: 'error',
          actions: { type: 'fail', params: ({ context, event }) => configInvalid(`\`openclaw doctor --fix\` failed: ${errorText(event.error)}`, context.lastExit) },
        },
      },
      on: { 'gateway.stop': 'stopped' },
    },

    respawnBackoff: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'backoff' },
      entry: { type: 'report', params: { value: 'starting' } },
      after: { respawnDelay: 'owned' },
      on: { 'gateway.stop': 'stopped' },
    },

    // Adopted (auto found a gateway) or attached: we talk to a gateway we do not own and never signal it.
    attached: {
      entry: ['bumpEpoch', 'markAttached'],
      invoke: { id: 'connection', src: 'connection', input: ({ self, context }) => connectionInput(self, context) },
      exit: 'closeConnection',
      initial: 'handshaking',
      on: {
        'gateway.stop': 'stopped',
        'connection.paused': { target: 'error', actions: { type: 'fail', params: ({ event }) => paused(event.reason, event.error) } },
      },
      states: {
        handshaking: {
          tags: ['busy'],
          meta: { lifecycle: 'starting', phase: 'handshaking' },
          entry: { type: 'report', params: { value: 'starting' } },
          on: { 'connection.ready': { target: 'running', actions: 'assignHello' } },
        },
        running: {
          tags: ['ready'],
          meta: { lifecycle: 'running' },
          entry: ['completeRefresh', { type: 'report', params: { value: 'running' } }],
          on: {
            'connection.lost': 'reconnecting',
            // Not ours to respawn: a restart asks the gateway to restart itself in place, as a reload does.
            'gateway.restart': { target: 'reloading', actions: { type: 'beginRefresh', params: { kind: 'restart' } } },
            'gateway.reload': { target: 'reloading', actions: { type: 'beginRefresh', params: { kind: 'reload' } } },
          },
        },
        reconnecting: {
          meta: { lifecycle: 'reconnecting' },
          entry: { type: 'report', params: { value: 'reconnecting' } },
          on: { 'connection.ready': { target: 'running', actions: 'assignHello' } },
        },
        reloading: {
          // `gateway.restart.request` over the connection; the runtime provides the call.
          invoke: {
            id: 'requestInPlaceRestart',
            src: 'requestInPlaceRestart',
            input: ({ context }) => ({ epoch: context.epoch }),
            onError: [
              { guard: 'reloadKeptConnection', target: 'running', actions: { type: 'failRefresh', params: { reason: 'request-failed' } } },
              { target: 'reconnecting', actions: { type: 'failRefresh', params: { reason: 'request-failed' } } },
            ],
          },
          // There is no full restart of a gateway we do not own: report the failure and carry on.
          after: {
            reloadTimeout: [
              { guard: 'reloadKeptConnection', target: 'running', actions: ['reportReloadTimeout', { type: 'failRefresh', params: { reason: 'no-new-boot' } }] },
              { target: 'reconnecting', actions: ['reportReloadTimeout', { type: 'failRefresh', params: { reason: 'no-new-boot' } }] },
            ],
          },
          initial: 'connected',
          on: {
            'connection.ready': [
              { guard: 'isNewBoot', target: 'running', actions: 'assignHello' },
              { target: '.connected', actions: 'assignHello' },
            ],
          },
          states: {
            connected: {
              meta: { lifecycle: 'running', phase: 'reloading' },
              entry: { type: 'report', params: { value: 'running' } },
              on: { 'connection.lost': 'disconnected' },
            },
            disconnected: {
              meta: { lifecycle: 'reconnecting', phase: 'reloading' },
              entry: { type: 'report', params: { value: 'reconnecting' } },
            },
          },
        },
      },
    },
  },
});
