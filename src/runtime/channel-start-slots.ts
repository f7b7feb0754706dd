// At most N accounts start at once. A waiter is granted a slot in arrival order; giving a slot back
// grants the next waiter on the following turn of the event loop, so the task that just started runs its
// synchronous and microtask start-up before the next account begins, and a crowd that crashed together
// comes back as a stream instead of one burst. A waiter that is cancelled (its account left `starting`)
// leaves the queue without ever holding a slot.
import { clearImmediate, setImmediate as nextTurn } from 'node:timers';

export interface StartSlots {
  /** Calls `grant` when a slot is free; the returned function cancels the wait or frees the slot. */
  acquire(grant: () => void): () => void;
  readonly inUse: number;
  readonly waiting: number;
}

export function createStartSlots(limit: number): StartSlots {
  let inUse = 0;
  // Insertion-ordered: the oldest waiter first, and a cancel is O(1).
  const waiters = new Set<() => void>();
  let pump: ReturnType<typeof nextTurn> | undefined;

  const grantNext = () => {
    pump = undefined;
    for (const waiter of waiters) {
      if (inUse >= limit) return;
      waiters.delete(waiter);
      inUse++;
      waiter();
    }
  };
  const schedule = () => {
    if (pump === undefined && waiters.size > 0) pump = nextTurn(grantNext);
  };

  return {
    acquire(grant) {
      let state: 'waiting' | 'holding' | 'done' = 'waiting';
      const waiter = () => {
        state = 'holding';
        grant();
      };
      if (inUse < limit && waiters.size === 0) {
        inUse++;
        waiter();
      } else {
        waiters.add(waiter);
      }
      return () => {
        if (state === 'waiting') waiters.delete(waiter);
        else if (state === 'holding') {
          inUse--;
          schedule();
        }
        state = 'done';
        if (waiters.size === 0 && pump !== undefined) {
          clearImmediate(pump);
          pump = undefined;
        }
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
