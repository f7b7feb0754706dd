// The pieces of a linked connection that `owned.linked` and `attached` share: the handshake wait, and the
// progress of a reload (running while the socket holds, reconnecting while it is down, done at a
// `connection.ready` with a new bootId). Targets are relative, so each parent supplies its own `running`.
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
