// Many long-lived actors in one actor system: their delayed events (`after` timers) on one timer heap, and
// an index of each actor's pending ones.
//
// - xstate 5's scheduler cancels an actor's delayed events on every actor stop by scanning every delayed
//   event of the system (`scheduler.cancelAll`); each invoked child that ends stops an actor, so 10,000
//   channel accounts (two timers each) made one start O(n) and a mass restart O(n^2). The index keeps, per
//   actor, the ids of its pending delayed events and cancels exactly those: the same outcome as xstate's
//   scan, in O(own timers).
// - The clock keeps every timer of the system in one binary heap behind a single host timer, armed for the
//   earliest. A host timer per delayed event (a Timeout object, its list and the closure around it) was
//   about a tenth of an account's heap; an entry here is one small object. Firing order and precision are
//   those of setTimeout: due time first, then the order of scheduling.
//
// Only public surfaces are used: the system's `scheduler` (declared on xstate's `ActorSystem`) and the
// `clock` option of `createActor`.
import type { ActorOptions, ActorSystem, AnyActorLogic, AnyActorRef } from 'xstate';

type AnyActorSystem = ActorSystem<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Scheduler = AnyActorSystem['scheduler'];
/** xstate's `Clock` (the `clock` option of createActor), which its index does not export by name. */
export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

export interface DelayIndex {
  /** Give this as the `clock` of the system's root actor. */
  readonly clock: Clock;
  /** Called once with the root's system, before any actor of it schedules a delayed event. */
  install(system: AnyActorSystem): void;
  /** Actors with a pending delayed event. */
  readonly actors: number;
  /** Timers pending on the heap. */
  readonly pending: number;
}

/** The host's timer, for the heap's single wake-up. */
export interface HostTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const hostTimers: HostTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One pending timer; `at` is its place in the heap (-1 once it fired or was cleared). */
class Entry {
  at = -1;
  constructor(
    readonly due: number,
    readonly seq: number,
    readonly fn: () => void,
    /** The delayed event it carries, when xstate's scheduler set it (for the index). */
    readonly source: AnyActorRef | undefined,
    readonly id: string | undefined,
  ) {}
}

export function createDelayIndex(host: HostTimers = hostTimers): DelayIndex {
  const bySource = new Map<AnyActorRef, string[]>();
  const heap: Entry[] = [];
  let seq = 0;
  let wake: unknown;
  let wakeAt = Infinity;
  // The delayed event being scheduled right now: xstate's schedule calls clock.setTimeout synchronously.
  let scheduling: { source: AnyActorRef; id: string } | undefined;

  const forget = (source: AnyActorRef, id: string) => {
    const ids = bySource.get(source);
    if (ids === undefined) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) bySource.delete(source);
  };

  const before = (a: Entry, b: Entry) => a.due < b.due || (a.due === b.due && a.seq < b.seq);
  const place = (entry: Entry, at: number) => {
    heap[at] = entry;
    entry.at = at;
  };
  const up = (at: number) => {
    const entry = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      place(heap[parent]!, at);
      at = parent;
    }
    place(entry, at);
  };
  const down = (at: number) => {
    const entry = heap[at]!;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, entry)) break;
      place(heap[child]!, at);
      at = child;
    }
    place(entry, at);
  };
  const remove = (entry: Entry) => {
    const at = entry.at;
    if (at < 0) return;
    entry.at = -1;
    const last = heap.pop()!;
    if (last === entry) return;
    place(last, at);
    up(at);
    down(last.at);
  };

  const arm = () => {
    const first = heap[0];
    const due = first === undefined ? Infinity : first.due;
    if (due === wakeAt) return;
    if (wake !== undefined) host.clearTimeout(wake);
    wake = undefined;
    wakeAt = due;
    if (first !== undefined) wake = host.setTimeout(fire, Math.max(0, Math.ceil(due - host.now())));
  };
  function fire() {
    wake = undefined;
    wakeAt = Infinity;
    const now = host.now();
    // One at a time, so a timer cleared by an earlier callback never fires; only those set before this
    // wake (a callback's 0 ms timer waits for the next one, as with setTimeout).
    const last = seq;
    try {
      while (heap.length > 0 && heap[0]!.due <= now && heap[0]!.seq < last) {
        const entry = heap[0]!;
        remove(entry);
        if (entry.source !== undefined) forget(entry.source, entry.id!);
        entry.fn();
      }
    } finally {
      arm();
    }
  }

  const clock: Clock = {
    setTimeout(fn, ms) {
      const key = scheduling;
      const entry = new Entry(host.now() + Math.max(0, ms), seq++, fn, key?.source, key?.id);
      heap.push(entry);
      entry.at = heap.length - 1;
      up(entry.at);
      arm();
      return entry;
    },
    clearTimeout(handle) {
      if (!(handle instanceof Entry)) return;
      remove(handle);
      arm();
    },
  };

  return {
    clock,
    install(system) {
      const scheduler: Scheduler = system.scheduler;
      const schedule = scheduler.schedule.bind(scheduler);
      const cancel = scheduler.cancel.bind(scheduler);
      // Properties of xstate's own scheduler object are replaced (not the object), so its internal calls
      // (cancelAll calling cancel, a restored system rescheduling) go through these as well.
      scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
        scheduling = { source, id };
        try {
          schedule(source, target, event, delay, id);
        } finally {
          scheduling = undefined;
        }
        const ids = bySource.get(source);
        if (ids === undefined) bySource.set(source, [id]);
        else if (!ids.includes(id)) ids.push(id);
      };
      scheduler.cancel = (source, id) => {
        cancel(source, id);
        forget(source, id);
      };
      scheduler.cancelAll = (actorRef) => {
        const ids = bySource.get(actorRef);
        if (ids === undefined) return;
        bySource.delete(actorRef);
        for (const id of ids) cancel(actorRef, id);
      };
    },
    get actors() {
      return bySource.size;
    },
    get pending() {
      return heap.length;
    },
  };
}
