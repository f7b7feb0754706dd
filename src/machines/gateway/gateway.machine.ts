// The gateway lifecycle: start (probe the port, spawn or adopt or attach, wait for the listener,
// handshake), run, ride out connection losses, respawn crashed children, repair a bad config once,
// restart and reload on request, stop. Pure: every effect is an invoked actor provided by the runtime.
//
// Lifetimes are states: the child process lives exactly as long as `owned` (the invoke's cleanup kills
// it), a connection as long as `owned.linked` or `attached`. Lifecycle names for hosts (stopped,
// starting, running, reconnecting, stopping, error) are said once, in each state's `meta`: selectors.ts
// reads them for the status, and the `lifecycleReporter` child tells `refresh` when they change. Those two
// are spawned by the first restart or reload request: most supervisors are never asked for one.
//
// Many gateways live in one actor system: the instance key (`input.key`) scopes the only system id this
// machine gives out (`refresh:<key>`), and the children stay reachable through `context.refresh` and
// `snapshot.children`, never through a system-wide name.
import { attachedState } from './attached.state.js';
import { configInvalid, errorText, portInUse, probeFailed } from './failures.js';
import { dropUnhandledSignal, endpointInput, gatewaySetup, instanceInput, startTransitions } from './gateway.setup.js';
import { ownedState } from './owned.state.js';
import { resolveGatewaySettings } from './settings.js';

export const gatewayMachine = gatewaySetup.createMachine({
  id: 'gateway',
  context: ({ input }) => {
    const settings = resolveGatewaySettings(input);
    return {
      settings,
      mode: input.mode,
      epoch: 0,
      owned: input.mode !== 'attach',
      pid: undefined,
      bootId: undefined,
      serverVersion: undefined,
      crashCount: 0,
      stallCount: 0,
      stallRestarts: 0,
      respawnDelayMs: 0,
      repairAttempted: false,
      refreshing: undefined,
      lastExit: undefined,
      error: undefined,
      // Spawned by the first restart or reload request (spawnRefresh), with its lifecycle reporter.
      refresh: undefined,
    };
  },

  on: {
    'refresh.restart.request': { actions: ['spawnRefresh', 'forwardToRefresh'] },
    'refresh.reload.request': { actions: ['spawnRefresh', 'forwardToRefresh'] },
    'refresh.restart.now': { actions: ['spawnRefresh', 'forwardToRefresh'] },
    'refresh.reload.now': { actions: ['spawnRefresh', 'forwardToRefresh'] },
    'refresh.spawn': { actions: 'spawnRefresh' },
    // Reached only where no state takes the refresh (not running): say so, or the refresh waits forever.
    'gateway.restart': { actions: 'refuseRefresh' },
    'gateway.reload': { actions: 'refuseRefresh' },
    // Process signals land here when no state took them: from an older epoch, or out of place.
    'process.*': dropUnhandledSignal,
  },
  initial: 'stopped',
  states: {
    stopped: {
      meta: { lifecycle: 'stopped' },
      // A stop out of a paused link (lifecycle `error`, its failure kept) leaves no failure behind.
      entry: ['bumpEpoch', 'forgetGateway', 'clearError', { type: 'failRefresh', params: { reason: 'stopped' } }],
      on: { 'gateway.start': startTransitions },
    },

    error: {
      meta: { lifecycle: 'error' },
      entry: ['bumpEpoch', 'forgetGateway', { type: 'failRefresh', params: { reason: 'failed' } }],
      on: {
        // Attach mode never gets here: its only failure is a refused credential, which stays in
        // `attached.paused` with the connection waiting for a new one. So a start from here probes.
        'gateway.start': { target: 'probing', actions: 'beginLifecycle' },
        'gateway.stop': { target: 'stopped', actions: 'clearError' },
      },
    },

    probing: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'probing' },
      entry: 'bumpEpoch',
      invoke: {
        id: 'probePort',
        src: 'probePort',
        input: ({ context }) => endpointInput(context),
        onDone: [
          { guard: { type: 'portFree', params: ({ event }) => ({ seen: event.output.kind }) }, target: 'owned' },
          {
            guard: {
              type: 'adoptable',
              params: ({ context, event }) => ({ seen: event.output.kind, mode: context.mode }),
            },
            target: 'attached',
          },
          {
            target: 'error',
            actions: {
              type: 'fail',
              params: ({ event }) =>
                portInUse(event.output.kind === 'gateway' ? 'gateway' : 'foreign', event.output.kind === 'foreign' ? event.output.detail : undefined),
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

    owned: ownedState,

    repairing: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'repairing' },
      invoke: {
        id: 'doctor',
        src: 'doctor',
        input: ({ context }) => instanceInput(context),
        onDone: [
          {
            guard: { type: 'doctorRepaired', params: ({ event }) => ({ exitCode: event.output.exitCode }) },
            target: 'owned',
          },
          {
            target: 'error',
            actions: {
              type: 'fail',
              params: ({ context, event }) => configInvalid(`\`openclaw doctor --fix\` exited ${event.output.exitCode}`, context.lastExit),
            },
          },
        ],
        onError: {
          target: 'error',
          actions: {
            type: 'fail',
            params: ({ context, event }) => configInvalid(`\`openclaw doctor --fix\` failed: ${errorText(event.error)}`, context.lastExit),
          },
        },
      },
      on: { 'gateway.stop': 'stopped' },
    },

    respawnBackoff: {
      tags: ['busy'],
      meta: { lifecycle: 'starting', phase: 'backoff' },
      after: { respawnDelay: 'owned' },
      on: { 'gateway.stop': 'stopped' },
    },

    // Adopted (auto found a gateway) or attached: we talk to a gateway we do not own and never signal it.
    attached: attachedState,
  },
});
