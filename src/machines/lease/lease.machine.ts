// One host's claim on one gateway key of a clustered pool. `acquiring` tries the lease (after this host's
// stagger, then whenever the holder's TTL runs out); `owned` renews it and carries the self-fencing
// deadline on this host's own clock: TTL minus a safety margin, restarted only by a successful renew, so
// an owner cut off from Redis stands down before any other host can take the key; `lost` is where an
// owner lands when its deadline passed or another host holds the key, and it tries again from there;
// `released` is the end, reached by the runtime's `lease.release`. Redis is behind the invoked actors.
import { assign, emit, fromPromise, setup } from 'xstate';
import { defaults } from '../defaults.js';
import type {
  AcquireInput,
  AcquireOutcome,
  LeaseContext,
  LeaseEmitted,
  LeaseEvent,
  LeaseInput,
  LeaseLostReason,
  RenewInput,
  RenewOutcome,
} from './types.js';

/** The systemId of a lease: scoped to the pool's name and the gateway key. */
export function leaseSystemId(poolName: string, key: string): string {
  return `lease:${poolName}/${key}`;
}

/** A placeholder that fails loudly: the runtime provides the Redis actors (createLeaseImplementations). */
function unprovided<Output, Input>(name: string) {
  return fromPromise<Output, Input>(() => Promise.reject(new Error(`lease: the ${name} actor was not provided`)));
}

export const leaseSetup = setup({
  types: {
    context: {} as LeaseContext,
    events: {} as LeaseEvent,
    input: {} as LeaseInput,
    emitted: {} as LeaseEmitted,
  },
  actors: {
    acquireLease: unprovided<AcquireOutcome, AcquireInput>('acquireLease'),
    renewLease: unprovided<RenewOutcome, RenewInput>('renewLease'),
    releaseLease: unprovided<void, RenewInput>('releaseLease'),
  },
  actions: {
    takeLease: assign((_, params: { token: number }) => ({ token: params.token, lostReason: undefined })),
    setValidity: assign(({ context }, params: { elapsedMs: number }) => ({
      validForMs: Math.max(0, context.ttlMs - context.safetyMarginMs - params.elapsedMs),
      lastError: undefined,
    })),
    waitForHolder: assign((_, params: { holderTtlMs: number }) => ({ waitMs: Math.max(1, params.holderTtlMs + 1), lastError: undefined })),
    recordError: assign(({ context }, params: { error: unknown }) => ({ waitMs: context.retryMs, lastError: describeError(params.error) })),
    setLostReason: assign((_, params: { reason: LeaseLostReason }) => ({ lostReason: params.reason })),
    emitAcquired: emit(({ context }): LeaseEmitted => ({
      type: 'lease.acquired',
      key: context.key,
      token: context.token ?? 0,
      validForMs: context.validForMs,
    })),
    emitRenewed: emit(({ context }): LeaseEmitted => ({
      type: 'lease.renewed',
      key: context.key,
      token: context.token ?? 0,
      validForMs: context.validForMs,
    })),
    emitLost: emit(({ context }): LeaseEmitted => ({
      type: 'lease.lost',
      key: context.key,
      token: context.token ?? 0,
      reason: context.lostReason ?? 'deadline',
    })),
    emitReleased: emit(({ context }): LeaseEmitted => ({ type: 'lease.released', key: context.key, token: context.token })),
  },
  guards: {
    acquired: (_, params: { outcome: AcquireOutcome }) => params.outcome.acquired,
    renewed: (_, params: { outcome: RenewOutcome }) => params.outcome.renewed,
  },
  delays: {
    startDelay: ({ context }) => context.startDelayMs,
    acquireWait: ({ context }) => context.waitMs,
    renewInterval: ({ context }) => context.renewIntervalMs,
    retry: ({ context }) => context.retryMs,
    /** The self-fencing deadline: the owner's own clock, never Redis's. */
    fenceDeadline: ({ context }) => context.validForMs,
  },
});

export const leaseMachine = leaseSetup.createMachine({
  id: 'lease',
  context: ({ input }) => {
    const ttlMs = input.ttlMs;
    return {
      pool: input.pool,
      key: input.key,
      hostId: input.hostId,
      ttlMs,
      renewIntervalMs: input.renewIntervalMs ?? Math.max(1, Math.floor(ttlMs * defaults.lease.renewFraction)),
      safetyMarginMs: input.safetyMarginMs ?? Math.max(1, Math.floor(ttlMs * defaults.lease.safetyMarginFraction)),
      retryMs: input.retryMs ?? Math.max(1, Math.floor(ttlMs * defaults.lease.retryFraction)),
      startDelayMs: input.startDelayMs ?? 0,
      token: undefined,
      validForMs: 0,
      waitMs: 0,
      lostReason: undefined,
      lastError: undefined,
    };
  },
  initial: 'acquiring',
  states: {
    acquiring: {
      initial: 'staggered',
      on: { 'lease.release': '#lease.released' },
      states: {
        // This host's place in the key's preference order: the preferred host tries first.
        staggered: { after: { startDelay: 'trying' } },
        trying: {
          invoke: {
            id: 'acquireLease',
            src: 'acquireLease',
            input: ({ context }): AcquireInput => ({ key: context.key, hostId: context.hostId, ttlMs: context.ttlMs }),
            onDone: [
              {
                guard: { type: 'acquired', params: ({ event }) => ({ outcome: event.output }) },
                target: '#lease.owned',
                actions: [
                  {
                    type: 'takeLease',
                    params: ({ event }) => ({ token: event.output.acquired ? event.output.token : 0 }),
                  },
                  { type: 'setValidity', params: ({ event }) => ({ elapsedMs: event.output.acquired ? event.output.elapsedMs : 0 }) },
                  'emitAcquired',
                ],
              },
              {
                target: 'waiting',
                actions: { type: 'waitForHolder', params: ({ event }) => ({ holderTtlMs: event.output.acquired ? 0 : event.output.holderTtlMs }) },
              },
            ],
            // Redis unreachable: no new ownership; try again after the retry period.
            onError: { target: 'waiting', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
          },
        },
        // Another host holds the key (until its TTL runs out), or Redis did not answer. A holder that handed
        // the key over to this host says so (`lease.attempt`): try at once instead of waiting out its TTL.
        waiting: { after: { acquireWait: 'trying' }, on: { 'lease.attempt': 'trying' } },
      },
    },
    owned: {
      tags: ['owned'],
      // Re-entered by every successful renew, which restarts the deadline; a failed renew does not.
      after: { fenceDeadline: { target: 'lost', actions: { type: 'setLostReason', params: { reason: 'deadline' } } } },
      on: { 'lease.release': 'releasing' },
      initial: 'holding',
      states: {
        holding: { after: { renewInterval: 'renewing' } },
        renewing: {
          invoke: {
            id: 'renewLease',
            src: 'renewLease',
            input: ({ context }): RenewInput => ({ key: context.key, hostId: context.hostId, ttlMs: context.ttlMs, token: context.token ?? 0 }),
            onDone: [
              {
                guard: { type: 'renewed', params: ({ event }) => ({ outcome: event.output }) },
                target: '#lease.owned',
                reenter: true,
                actions: [
                  { type: 'setValidity', params: ({ event }) => ({ elapsedMs: event.output.renewed ? event.output.elapsedMs : 0 }) },
                  'emitRenewed',
                ],
              },
              // The lease expired in Redis and another host took it (or it is simply gone): stand down now.
              { target: '#lease.lost', actions: { type: 'setLostReason', params: { reason: 'taken' } } },
            ],
            onError: { target: 'retrying', actions: { type: 'recordError', params: ({ event }) => ({ error: event.error }) } },
          },
        },
        // Redis did not answer: try again soon; the deadline keeps running meanwhile.
        retrying: { after: { retry: 'renewing' } },
      },
    },
    // The owner stood down (its connection is closed by the runtime on `lease.lost`); it competes again.
    lost: {
      entry: 'emitLost',
      on: { 'lease.release': 'released' },
      after: { retry: 'acquiring' },
    },
    // Give the key back at once (compare-and-delete by token), so the next host need not wait out the TTL.
    releasing: {
      invoke: {
        id: 'releaseLease',
        src: 'releaseLease',
        input: ({ context }): RenewInput => ({ key: context.key, hostId: context.hostId, ttlMs: context.ttlMs, token: context.token ?? 0 }),
        onDone: 'released',
        // Redis down: the lease simply expires; this host has stopped acting either way.
        onError: 'released',
      },
    },
    released: { type: 'final', entry: 'emitReleased' },
  },
});

export type LeaseMachine = typeof leaseMachine;

function describeError(error: unknown): { code: string; message: string } {
  if (typeof error === 'object' && error !== null) {
    const record = error as { code?: unknown; message?: unknown };
    return {
      code: typeof record.code === 'string' ? record.code : 'REDIS_UNAVAILABLE',
      message: typeof record.message === 'string' ? record.message : 'the lease command failed',
    };
  }
  return { code: 'REDIS_UNAVAILABLE', message: String(error) };
}
