// Request deadlines without a timer per request. Requests of one timeout expire in the order they were made,
// so each distinct timeout keeps a lane: a linked list in that order and one timer, armed for the oldest
// request still pending. A settled request leaves its lane at once (no stale entry holds it); the timer it was
// armed for stays (it fires, finds nothing due, and re-arms for the new oldest), so a steady stream of calls
// costs no timer operation per call. Lanes with no request left give their timer up on `release()`.

export interface DeadlineItem {
  /** When the request times out, on the channel's clock. */
  readonly deadlineAt: number;
  /** Its timeout: the lane it waits in. */
  readonly timeoutMs: number;
  /** Where the deadlines keep the item's place in its lane (undefined when not watched); theirs alone. */
  deadlineNode: unknown;
}

export interface RequestDeadlines<T extends DeadlineItem> {
  /** Starts watching `item`'s deadline. */
  add(item: T): void;
  /** Stops watching `item` (settled some other way). Safe to call twice. */
  remove(item: T): void;
  /** Clears the timers of lanes with no request left: an idle channel keeps none. */
  release(): void;
  /** Requests watched now (for tests and stats). */
  size(): number;
}

export interface RequestDeadlinesOptions<T> {
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** Called once for each request whose deadline passed, already removed from its lane. */
  expire: (item: T) => void;
}

interface Node<T> {
  readonly item: T;
  prev: Node<T> | undefined;
  next: Node<T> | undefined;
}

interface Lane<T> {
  first: Node<T> | undefined;
  last: Node<T> | undefined;
  timer: unknown;
}

// setTimeout fires at once for delays above 2^31-1 ms; clamp instead.
const MAX_TIMER_MS = 2_147_483_647;

export function createRequestDeadlines<T extends DeadlineItem>(options: RequestDeadlinesOptions<T>): RequestDeadlines<T> {
  const { now, setTimer, clearTimer, expire } = options;
  const lanes = new Map<number, Lane<T>>();
  let size = 0;

  const arm = (lane: Lane<T>, deadlineAt: number): void => {
    lane.timer = setTimer(() => fire(lane), Math.min(Math.max(0, deadlineAt - now()), MAX_TIMER_MS));
  };

  const unlink = (lane: Lane<T>, node: Node<T>): void => {
    if (node.prev === undefined) lane.first = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) lane.last = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = undefined;
    node.item.deadlineNode = undefined;
    size--;
  };

  function fire(lane: Lane<T>): void {
    lane.timer = undefined;
    const at = now();
    let node = lane.first;
    while (node !== undefined && node.item.deadlineAt <= at) {
      const due = node;
      node = node.next;
      unlink(lane, due);
      expire(due.item);
    }
    // An expiry can add requests (a caller retrying at once) and arm the lane itself.
    if (lane.first !== undefined && lane.timer === undefined) arm(lane, lane.first.item.deadlineAt);
  }

  return {
    add(item) {
      let lane = lanes.get(item.timeoutMs);
      if (lane === undefined) {
        lane = { first: undefined, last: undefined, timer: undefined };
        lanes.set(item.timeoutMs, lane);
      }
      const node: Node<T> = { item, prev: lane.last, next: undefined };
      if (lane.last === undefined) lane.first = node;
      else lane.last.next = node;
      lane.last = node;
      item.deadlineNode = node;
      size++;
      // A lane's timer is never later than its oldest request's deadline, so a newer one needs none of its own.
      if (lane.timer === undefined) arm(lane, item.deadlineAt);
    },
    remove(item) {
      const node = item.deadlineNode as Node<T> | undefined;
      if (node === undefined) return;
      const lane = lanes.get(item.timeoutMs);
      if (lane !== undefined) unlink(lane, node);
    },
    release() {
      for (const [timeoutMs, lane] of lanes) {
        if (lane.first !== undefined) continue;
        if (lane.timer !== undefined) clearTimer(lane.timer);
        lanes.delete(timeoutMs);
      }
    },
    size: () => size,
  };
}
