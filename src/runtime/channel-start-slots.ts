// At most N accounts start at once, and at most R start per second. A waiter is granted a slot in arrival
// order; giving a slot back grants the next waiter on the following turn of the event loop, so the task
// that just started runs its synchronous and microtask start-up before the next account begins. The rate
// is a token bucket (N tokens, refilled at R per second): a start that takes no time (a plugin whose task
// only opens a socket) frees its slot at once, so concurrency alone would let a crowd that crashed together
// come back as fast as the CPU goes; the bucket keeps it at R per second against the channel's provider.
// A waiter that is cancelled (its account left `starting`) leaves the queue without ever holding a slot.
import { clearImmediate, setImmediate as nextTurn } from 'node:timers';

export interface StartSlots {
  /** Calls `grant` when a slot is free; the returned function cancels the wait or frees the slot. */
  acquire(grant: () => void): () => void;
  readonly inUse: number;
  readonly waiting: number;
}

export interface StartSlotOptions {
  /** Starts at once. */
  limit: number;
  /** Starts per second (a burst of `limit` is allowed). Infinity: no rate limit. */
  perSecond: number;
  /** Milliseconds, monotonic. */
  now?: () => number;
}

export function createStartSlots(options: StartSlotOptions): StartSlots {
  const { limit, perSecond } = options;
  const now = options.now ?? (() => performance.now());
  let inUse = 0;
  let tokens = limit;
  let filledAt = now();
  // Insertion-ordered: the oldest waiter first, and a cancel is O(1).
  const waiters = new Set<() => void>();
  let pump: ReturnType<typeof nextTurn> | undefined;
  let refillTimer: ReturnType<typeof setTimeout> | undefined;

  const refill = () => {
    if (perSecond === Infinity) {
      tokens = limit;
      return;
    }
    const at = now();
    tokens = Math.min(limit, tokens + ((at - filledAt) * perSecond) / 1000);
    filledAt = at;
  };
  const take = (waiter: () => void) => {
    tokens--;
    inUse++;
    waiter();
  };

  const grantNext = () => {
    pump = undefined;
    refillTimer = undefined;
    for (const waiter of waiters) {
      if (inUse >= limit) return;
      refill();
      if (tokens < 1) {
        // The next token's time: a timer, not a spin.
        refillTimer = setTimeout(grantNext, Math.ceil(((1 - tokens) * 1000) / perSecond));
        return;
      }
      waiters.delete(waiter);
      take(waiter);
    }
  };
  const schedule = () => {
    if (pump === undefined && refillTimer === undefined && waiters.size > 0) pump = nextTurn(grantNext);
  };
  const idle = () => {
    if (waiters.size > 0) return;
    if (pump !== undefined) clearImmediate(pump);
    if (refillTimer !== undefined) clearTimeout(refillTimer);
    pump = undefined;
    refillTimer = undefined;
  };

  return {
    acquire(grant) {
      let state: 'waiting' | 'holding' | 'done' = 'waiting';
      const waiter = () => {
        state = 'holding';
        grant();
      };
      refill();
      if (inUse < limit && waiters.size === 0 && tokens >= 1) take(waiter);
      else {
        waiters.add(waiter);
        schedule();
      }
      return () => {
        if (state === 'waiting') waiters.delete(waiter);
        else if (state === 'holding') {
          inUse--;
          schedule();
        }
        state = 'done';
        idle();
      };
    },
    get inUse() {
      return inUse;
    },
    get waiting() {
      return waiters.size;
    },
  };
}
