// Many long-lived actors in one actor system: their delayed events (`after` timers, delayed `raise` and
// `sendTo`) kept here, on one timer heap, with an index of each actor's pending ones.
//
// - xstate 5's scheduler cancels an actor's delayed events on every actor stop by scanning every delayed
//   event of the system (`scheduler.cancelAll`); each invoked child that ends stops an actor, so 10,000
//   channel accounts made one start O(n) and a mass restart O(n^2). The index keeps, per actor, a list of
//   its pending delayed events and cancels exactly those: the same outcome as xstate's scan, in O(own timers).
// - xstate's scheduler keeps, per delayed event, a record, a key string, an entry in two dictionaries and a
//   closure around the delivery (about 0.6 KB an account at 10,000); here a delayed event is one entry on
//   one binary heap behind a single host timer, armed for the earliest. Firing order and precision are those
//   of setTimeout: due time first, then the order of scheduling.
//
// The system's `scheduler` (declared on xstate's public `ActorSystem`) has its three methods replaced and
// `getSnapshot()` reports the pending events as xstate's would. A due event is delivered through the
// system's `_relay`, as xstate's own scheduler does (so the inspection stream names its source); it is not
// declared on the public type, so `install` checks that it is there (tests/unit/delay-index pins it).
import type { ActorOptions, ActorSystem, AnyActorLogic, AnyActorRef, EventObject } from 'xstate';

type AnyActorSystem = ActorSystem<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Scheduler = AnyActorSystem['scheduler'];
/** xstate's `Clock` (the `clock` option of createActor), which its index does not export by name. */
export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;
type Relay = (source: AnyActorRef, target: AnyActorRef, event: EventObject) => void;

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
  ) {}
}

/** A timer set through the clock: a callback. */
class Callback extends Entry {
  constructor(due: number, seq: number, readonly fn: () => void) {
    super(due, seq);
  }
}

/** A delayed event of xstate's scheduler; `next` is the source's next pending one. */
class Delayed extends Entry {
  next: Delayed | undefined = undefined;
  constructor(
    due: number,
    seq: number,
    readonly source: AnyActorRef,
    readonly target: AnyActorRef,
    readonly event: EventObject,
    readonly id: string,
  ) {
    super(due, seq);
  }
}

export function createDelayIndex(host: HostTimers = hostTimers): DelayIndex {
  // Per actor, its pending delayed events as a list (most actors have one or none).
  const bySource = new Map<AnyActorRef, Delayed>();
  const heap: Entry[] = [];
  let seq = 0;
  let wake: unknown;
  let wakeAt = Infinity;
  let relay: Relay | undefined;

  /** Takes a delayed event out of its source's list. */
  const unlink = (entry: Delayed) => {
    let head = bySource.get(entry.source);
    if (head === entry) {
      if (entry.next === undefined) bySource.delete(entry.source);
      else bySource.set(entry.source, entry.next);
      return;
    }
    while (head !== undefined && head.next !== entry) head = head.next;
    if (head !== undefined) head.next = entry.next;
  };

  // Whole milliseconds, rounded up as setTimeout's are: a small integer is held in the entry itself, where a
  // fraction would be a heap number of its own per pending timer.
  const dueAt = (ms: number) => Math.ceil(host.now() + Math.max(0, ms));
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
  const push = (entry: Entry) => {
    heap.push(entry);
    entry.at = heap.length - 1;
    up(entry.at);
    arm();
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
        if (entry instanceof Delayed) {
          unlink(entry);
          relay!(entry.source, entry.target, entry.event);
        } else (entry as Callback).fn();
      }
    } finally {
      arm();
    }
  }

  const clock: Clock = {
    setTimeout(fn, ms) {
      const entry = new Callback(dueAt(ms), seq++, fn);
      push(entry);
      return entry;
    },
    clearTimeout(handle) {
      if (!(handle instanceof Callback)) return;
      remove(handle);
      arm();
    },
  };

  const cancel = (source: AnyActorRef, id: string) => {
    for (let entry = bySource.get(source); entry !== undefined; entry = entry.next) {
      if (entry.id !== id) continue;
      unlink(entry);
      remove(entry);
      arm();
      return;
    }
  };

  return {
    clock,
    install(system) {
      const systemRelay = (system as unknown as { _relay?: Relay })._relay;
      if (typeof systemRelay !== 'function') throw new Error('delay index: this xstate has no system._relay to deliver delayed events through');
      relay = systemRelay;
      const scheduler: Scheduler = system.scheduler;
      // Properties of xstate's own scheduler object are replaced (not the object), so its internal calls
      // (an actor's stop calling cancelAll, a restored system rescheduling) go through these as well.
      scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
        // The newest first: a cancel by id takes the latest event of that id, as xstate's timer map does.
        const entry = new Delayed(dueAt(delay), seq++, source, target, event, id);
        entry.next = bySource.get(source);
        bySource.set(source, entry);
        push(entry);
      };
      scheduler.cancel = cancel;
      scheduler.cancelAll = (actorRef) => {
        let entry = bySource.get(actorRef);
        if (entry === undefined) return;
        bySource.delete(actorRef);
        for (; entry !== undefined; entry = entry.next) remove(entry);
        arm();
      };
      // What xstate's scheduler would report: each pending event, its delay counted from now.
      system.getSnapshot = () => {
        const now = host.now();
        const startedAt = Date.now();
        const events: ReturnType<AnyActorSystem['getSnapshot']>['_scheduledEvents'] = {};
        for (const head of bySource.values()) {
          for (let entry: Delayed | undefined = head; entry !== undefined; entry = entry.next) {
            const { source, target, event, id } = entry;
            events[`${source.sessionId}.${id}`] = { source, target, event, id, delay: Math.max(0, entry.due - now), startedAt };
          }
        }
        return { _scheduledEvents: events };
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
