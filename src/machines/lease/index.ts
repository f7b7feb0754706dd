export { leaseMachine, leaseSystemId, type LeaseMachine } from './lease.machine.js';
export { createLeaseImplementations, type LeaseDeps } from './lease.implementations.js';
export { selectLeaseOwned, selectLeaseState, selectLeaseStatus } from './selectors.js';
export type {
  AcquireInput,
  AcquireOutcome,
  LeaseContext,
  LeaseEmitted,
  LeaseEvent,
  LeaseInput,
  LeaseLostReason,
  LeaseStateName,
  LeaseStatusView,
  RenewInput,
  RenewOutcome,
} from './types.js';
