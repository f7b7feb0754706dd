// What the connection chart needs from outside, and how it becomes the chart's implementations. Built once
// from its dependencies: every socket gets its url, instance key and epoch through its input, so one
// socket adapter serves every connection of a process.
import type { CallbackActorLogic } from 'xstate';
import type { SocketActorInput, SocketCommand } from '../../contracts/index.js';

export interface ConnectionDeps {
  /** The `gatewaySocket` actor: one WebSocket per `{ epoch, key, url }`. */
  socket: CallbackActorLogic<SocketCommand, SocketActorInput>;
}

/** For `connectionMachine.provide(...)`; the placeholder fails loudly when nothing was provided. */
export function createConnectionImplementations(deps: ConnectionDeps) {
  return { actors: { gatewaySocket: deps.socket } };
}
