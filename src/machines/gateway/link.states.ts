// The pieces of a linked connection that `owned.linked` and `attached` share: the handshake wait, and the
// progress of a reload (running while the socket holds, reconnecting while it is down, done at a
// `connection.ready` with a new bootId). Targets are relative, so each parent supplies its own `running`.
import { paused } from './failures.js';
import { gatewaySetup } from './gateway.setup.js';

export const handshakingState = gatewaySetup.createStateConfig({
  tags: ['busy'],
  meta: { lifecycle: 'starting', phase: 'handshaking' },
  on: { 'connection.ready': { target: 'running', actions: 'assignHello' } },
});

/** Spread into a `reloading` state: its sub-states and how a `connection.ready` ends (or continues) it. */
export const reloadProgress = gatewaySetup.createStateConfig({
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
      on: { 'connection.lost': 'disconnected' },
    },
    disconnected: {
      meta: { lifecycle: 'reconnecting', phase: 'reloading' },
    },
  },
});

/**
 * The gateway refused our credential (auth, pairing, protocol version): the connection waits in its own
 * `paused` and the host sees `error` until it gives a new credential (`gateway.credentialsChanged`) or
 * starts again; either resumes the same connection. Reached through `pauseLink` on the parent.
 */
export const pausedState = gatewaySetup.createStateConfig({
  meta: { lifecycle: 'error', phase: 'paused' },
  entry: { type: 'failRefresh', params: { reason: 'failed' } },
  on: {
    'gateway.credentialsChanged': { target: 'handshaking', actions: ['clearError', 'reconnectConnection'] },
    'gateway.start': { target: 'handshaking', actions: ['clearError', 'reconnectConnection', 'beginLifecycle'] },
  },
});

/** On the parent of a link: a pause goes to its `paused`, a new credential redials whatever the link is doing. */
export const pauseLink = gatewaySetup.createStateConfig({
  on: {
    'connection.paused': {
      target: '.paused',
      actions: { type: 'fail', params: ({ event }) => paused(event.reason, event.error) },
    },
    'gateway.credentialsChanged': { actions: 'reconnectConnection' },
  },
}).on;
