// What the pool charts need from outside: the socket actor of their connection children. Built once; each
// socket finds its entry's URL and credential by the key in its input (src/runtime/connection-pool.ts).
import { createConnectionImplementations, type ConnectionDeps } from '../connection/connection.implementations.js';
import { connectionMachine } from '../connection/connection.machine.js';
import { poolEntryMachine } from './pool-entry.machine.js';

export type PoolDeps = ConnectionDeps;

/** For `poolEntryMachine.provide(...)`: the connection child with the real socket. */
export function createPoolEntryImplementations(deps: PoolDeps) {
  return { actors: { connection: connectionMachine.provide(createConnectionImplementations(deps)) } };
}

/** For `poolMachine.provide(...)`: every spawned entry gets the connection child with the real socket. */
export function createPoolImplementations(deps: PoolDeps) {
  return { actors: { entry: poolEntryMachine.provide(createPoolEntryImplementations(deps)) } };
}
