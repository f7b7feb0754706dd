// The refresh machine: restart and reload requests go in, at most one `gateway.restart` or
// `gateway.reload` at a time comes out, when the gateway can take it. Four parallel regions:
// - `gateway`:  what the supervisor last reported (down, busy starting/reconnecting, ready).
// - `pending`:  the one request waiting to run (debouncing, then due); a restart supersedes a reload.
// - `flight`:   the request sent to the supervisor and not yet answered; a `*.now` of the same kind joins it.
// - `cooldown`: the quiet time after a restart, during which a due restart waits.
// Waiting is done with `after` on re-entered states, so a burst of requests restarts the debounce timer.
import { and, emit, not, raise, sendTo, setup, stateIn } from 'xstate';
import {
  defaultRefreshSettings,
  type GatewayLifecycle,
  type RefreshContext,
  type RefreshEmitted,
  type RefreshEvent,
  type RefreshKind,
  type RefreshMachineInput,
} from './types.js';

export const refreshMachine = setup({
  types: {
    context: {} as RefreshContext,
    events: {} as RefreshEvent,
    input: {} as RefreshMachineInput,
    emitted: {} as RefreshEmitted,
  },
  delays: {
    restartDebounce: ({ context }) => context.settings.restartDebounceMs,
    reloadDebounce: ({ context }) => context.settings.reloadDebounceMs,
    restartCooldown: ({ context }) => context.settings.restartCooldownMs,
  },
  guards: {
    gatewayReady: stateIn('#refresh.gateway.ready'),
    gatewayDown: stateIn('#refresh.gateway.down'),
    flightIdle: stateIn('#refresh.flight.idle'),
    restartInFlight: stateIn('#refresh.flight.restarting'),
    reloadInFlight: stateIn('#refresh.flight.reloading'),
    coolingDown: stateIn('#refresh.cooldown.cooling'),
    reports: ({ event }, params: { values: readonly GatewayLifecycle[] }) => event.type === 'gateway.state' && params.values.includes(event.value),
    wasRestart: ({ event }) => (event.type === 'refresh.completed' || event.type === 'refresh.failed') && event.kind === 'restart',
  },
  actions: {
    tellSupervisor: sendTo(
      ({ context }) => context.supervisor,
      (_, params: { kind: RefreshKind }) => ({
        type: params.kind === 'restart' ? 'gateway.restart' : 'gateway.reload',
      }),
    ),
    emitDispatched: emit((_, params: { kind: RefreshKind }) => ({
      type: 'refresh.dispatched' as const,
      kind: params.kind,
    })),
    emitJoined: emit((_, params: { kind: RefreshKind }) => ({ type: 'refresh.joined' as const, kind: params.kind })),
    emitSkipped: emit((_, params: { kind: RefreshKind }) => ({
      type: 'refresh.settled' as const,
      kind: params.kind,
      outcome: 'skipped' as const,
      reason: 'gateway-not-running',
    })),
    emitSettled: emit(({ event }, params: { kind: RefreshKind }) => ({
      type: 'refresh.settled' as const,
      kind: params.kind,
      outcome: event.type === 'refresh.failed' ? ('failed' as const) : ('completed' as const),
      ...(event.type === 'refresh.failed' ? { reason: event.reason } : {}),
    })),
  },
}).createMachine({
  id: 'refresh',
  type: 'parallel',
  context: ({ input }) => ({
    supervisor: input.supervisor,
    settings: {
      restartDebounceMs: input.restartDebounceMs ?? defaultRefreshSettings.restartDebounceMs,
      reloadDebounceMs: input.reloadDebounceMs ?? defaultRefreshSettings.reloadDebounceMs,
      restartCooldownMs: input.restartCooldownMs ?? defaultRefreshSettings.restartCooldownMs,
    },
  }),
  states: {
    gateway: {
      // The gateway machine starts stopped and reports every change from then on.
      initial: 'down',
      states: {
        down: {
          on: {
            'gateway.state': [
              { guard: { type: 'reports', params: { values: ['running'] } }, target: 'ready' },
              { guard: { type: 'reports', params: { values: ['starting', 'reconnecting'] } }, target: 'busy' },
            ],
          },
        },
        busy: {
          on: {
            'gateway.state': [
              { guard: { type: 'reports', params: { values: ['running'] } }, target: 'ready' },
              { guard: { type: 'reports', params: { values: ['stopped', 'stopping', 'error'] } }, target: 'down' },
            ],
          },
        },
        ready: {
          on: {
            'gateway.state': [
              { guard: { type: 'reports', params: { values: ['starting', 'reconnecting'] } }, target: 'busy' },
              { guard: { type: 'reports', params: { values: ['stopped', 'stopping', 'error'] } }, target: 'down' },
            ],
          },
        },
      },
    },

    pending: {
      initial: 'none',
      states: {
        none: {
          on: {
            'refresh.restart.request': 'debouncingRestart',
            'refresh.reload.request': 'debouncingReload',
            'refresh.restart.now': [
              { guard: 'restartInFlight', actions: { type: 'emitJoined', params: { kind: 'restart' } } },
              { target: 'restartDue' },
            ],
            'refresh.reload.now': [{ guard: 'reloadInFlight', actions: { type: 'emitJoined', params: { kind: 'reload' } } }, { target: 'reloadDue' }],
          },
        },
        debouncingReload: {
          after: { reloadDebounce: 'reloadDue' },
          on: {
            // Re-entering restarts the timer: the reload runs after the burst has been quiet for a while.
            'refresh.reload.request': { target: 'debouncingReload', reenter: true },
            'refresh.reload.now': 'reloadDue',
            'refresh.restart.request': 'debouncingRestart',
            'refresh.restart.now': 'restartDue',
          },
        },
        debouncingRestart: {
          after: { restartDebounce: 'restartDue' },
          on: {
            'refresh.restart.request': { target: 'debouncingRestart', reenter: true },
            'refresh.restart.now': 'restartDue',
            // A restart re-reads the whole config, so a reload asked for meanwhile rides on it.
            'refresh.reload.now': { actions: { type: 'emitJoined', params: { kind: 'restart' } } },
          },
        },
        reloadDue: {
          always: [
            { guard: 'gatewayDown', target: 'none', actions: { type: 'emitSkipped', params: { kind: 'reload' } } },
            {
              guard: and(['gatewayReady', 'flightIdle']),
              target: 'none',
              actions: raise({ type: 'refresh.dispatch.reload' }),
            },
          ],
          on: {
            'refresh.restart.request': 'debouncingRestart',
            'refresh.restart.now': 'restartDue',
          },
        },
        restartDue: {
          always: [
            { guard: 'gatewayDown', target: 'none', actions: { type: 'emitSkipped', params: { kind: 'restart' } } },
            {
              guard: and(['gatewayReady', 'flightIdle', not('coolingDown')]),
              target: 'none',
              actions: raise({ type: 'refresh.dispatch.restart' }),
            },
          ],
          on: {
            'refresh.reload.now': { actions: { type: 'emitJoined', params: { kind: 'restart' } } },
          },
        },
      },
    },

    flight: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            'refresh.dispatch.restart': {
              target: 'restarting',
              actions: [
                { type: 'tellSupervisor', params: { kind: 'restart' } },
                { type: 'emitDispatched', params: { kind: 'restart' } },
              ],
            },
            'refresh.dispatch.reload': {
              target: 'reloading',
              actions: [
                { type: 'tellSupervisor', params: { kind: 'reload' } },
                { type: 'emitDispatched', params: { kind: 'reload' } },
              ],
            },
          },
        },
        restarting: {
          on: {
            'refresh.completed': { target: 'idle', actions: { type: 'emitSettled', params: { kind: 'restart' } } },
            'refresh.failed': { target: 'idle', actions: { type: 'emitSettled', params: { kind: 'restart' } } },
          },
        },
        reloading: {
          on: {
            'refresh.completed': { target: 'idle', actions: { type: 'emitSettled', params: { kind: 'reload' } } },
            'refresh.failed': { target: 'idle', actions: { type: 'emitSettled', params: { kind: 'reload' } } },
          },
        },
      },
    },

    cooldown: {
      initial: 'idle',
      states: {
        // Counted from the end of a restart (a reload that fell back to one included): a restart of
        // this gateway lasts 10-17 s, so counting from its start would never hold anything back.
        idle: {
          on: {
            'refresh.completed': { guard: 'wasRestart', target: 'cooling' },
            'refresh.failed': { guard: 'wasRestart', target: 'cooling' },
          },
        },
        cooling: { after: { restartCooldown: 'idle' } },
      },
    },
  },
});
