// What the lease chart needs from outside: three Redis commands as promise actors. Built once per pool from
// a lease store (src/adapters/redis); each invocation names its key, host and token in its input.
import { fromPromise } from 'xstate';
import type { AcquireInput, AcquireOutcome, RenewInput, RenewOutcome } from './types.js';

export interface LeaseDeps {
  acquire(input: AcquireInput): Promise<AcquireOutcome>;
  renew(input: RenewInput): Promise<RenewOutcome>;
  release(input: RenewInput): Promise<void>;
}

/** For `leaseMachine.provide(...)`. */
export function createLeaseImplementations(deps: LeaseDeps) {
  return {
    actors: {
      acquireLease: fromPromise<AcquireOutcome, AcquireInput>(({ input }) => deps.acquire(input)),
      renewLease: fromPromise<RenewOutcome, RenewInput>(({ input }) => deps.renew(input)),
      releaseLease: fromPromise<void, RenewInput>(({ input }) => deps.release(input)),
    },
  };
}
