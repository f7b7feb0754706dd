// What the dual-path chart needs from outside, built once: the socket of its connection child, the sync
// after each hello-ok and the HTTP poll. Each finds its client's parts by the key in its input.
import type { CallbackActorLogic, PromiseActorLogic } from 'xstate';
import type { SocketActorInput, SocketCommand } from '../../contracts/index.js';
import { createConnectionImplementations } from '../connection/connection.implementations.js';
import { connectionMachine } from '../connection/connection.machine.js';
import type { PollInput, SyncInput } from './types.js';

export interface DualPathDeps {
  socket: CallbackActorLogic<SocketCommand, SocketActorInput>;
  initialSync: PromiseActorLogic<void, SyncInput>;
  httpPoll: PromiseActorLogic<void, PollInput>;
}

/** For `dualPathMachine.provide(...)`. */
export function createDualPathImplementations(deps: DualPathDeps) {
  return {
    actors: {
      connection: connectionMachine.provide(createConnectionImplementations({ socket: deps.socket })),
      initialSync: deps.initialSync,
      httpPoll: deps.httpPoll,
    },
  };
}
