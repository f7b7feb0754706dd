export { poolEntryMachine, type PoolEntryMachine } from './pool-entry.machine.js';
export { poolMachine, poolEntrySystemId, poolSystemId, type PoolMachine, type PoolContext, type PoolEntryRef } from './pool.machine.js';
export { createPoolEntryImplementations, createPoolImplementations, type PoolDeps } from './pool.implementations.js';
export { selectPoolEntryState, selectPoolEntryStatus } from './selectors.js';
export type {
  PoolEntryCloseReason,
  PoolEntryCommand,
  PoolEntryContext,
  PoolEntryEmitted,
  PoolEntryEvent,
  PoolEntryInput,
  PoolEntryStateName,
  PoolEntryStatusView,
  PoolEvent,
  PoolInput,
} from './types.js';
