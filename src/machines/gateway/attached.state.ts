// `attached`: a gateway this supervisor did not spawn (mode attach, or auto that found one listening).
// It is never signalled: a stop only closes the connection, and a restart or reload asks the gateway to
// restart itself in place over the connection (`requestInPlaceRestart`, the `gateway.restart.request` RPC).
import { stateIn } from 'xstate';
import { connectionInput, gatewaySetup, instanceInput } from './gateway.setup.js';
import { handshakingState, pauseLink, pausedState, reloadProgress } from './link.states.js';

/** A reload that ends without a new boot goes back to where the socket is: running, or reconnecting. */
const socketHeld = stateIn('#gateway.attached.reloading.connected');

export const attachedState = gatewaySetup.createStateConfig({
  entry: ['bumpEpoch', 'markAttached'],
  invoke: { id: 'connection', src: 'connection', input: ({ self, context }) => connectionInput(self, context) },
  exit: 'closeConnection',
  initial: 'handshaking',
  on: {
    'gateway.stop': 'stopped',
    ...pauseLink,
  },
  states: {
    paused: pausedState,
    handshaking: handshakingState,
    running: {
      tags: ['ready'],
      meta: { lifecycle: 'running' },
      entry: 'completeRefresh',
      on: {
        'connection.lost': 'reconnecting',
        // Not ours to respawn: a restart asks the gateway to restart itself in place, as a reload does.
        'gateway.restart': { target: 'reloading', actions: { type: 'beginRefresh', params: { kind: 'restart' } } },
        'gateway.reload': { target: 'reloading', actions: { type: 'beginRefresh', params: { kind: 'reload' } } },
      },
    },
    reconnecting: {
      meta: { lifecycle: 'reconnecting' },
      on: { 'connection.ready': { target: 'running', actions: 'assignHello' } },
    },
    reloading: {
      // `gateway.restart.request` over the connection; the runtime provides the call.
      invoke: {
        id: 'requestInPlaceRestart',
        src: 'requestInPlaceRestart',
        input: ({ context }) => instanceInput(context),
        onError: [
          {
            guard: socketHeld,
            target: 'running',
            actions: { type: 'failRefresh', params: { reason: 'request-failed' } },
          },
          { target: 'reconnecting', actions: { type: 'failRefresh', params: { reason: 'request-failed' } } },
        ],
      },
      // There is no full restart of a gateway we do not own: report the failure and carry on.
      after: {
        reloadTimeout: [
          {
            guard: socketHeld,
            target: 'running',
            actions: ['reportReloadTimeout', { type: 'failRefresh', params: { reason: 'no-new-boot' } }],
          },
          {
            target: 'reconnecting',
            actions: ['reportReloadTimeout', { type: 'failRefresh', params: { reason: 'no-new-boot' } }],
          },
        ],
      },
      ...reloadProgress,
    },
  },
});
