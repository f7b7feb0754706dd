// The FIFO of requests waiting for a window slot. Entries that settle while queued (timeout, refusal) are
// not spliced out; the queue skips them when they reach the head, so removal stays O(1).

export interface RequestQueue<T> {
  push(item: T): void;
  /** Puts an item ahead of everything queued (a retry that already waited its turn once). */
  pushFront(item: T): void;
  /** The oldest item that is still live, or undefined. */
  shift(): T | undefined;
  /** Empties the queue, returning the live items in order. */
  drain(): T[];
}

export function createRequestQueue<T>(isLive: (item: T) => boolean): RequestQueue<T> {
  let items: (T | undefined)[] = [];
  let head = 0;

  const compact = (): void => {
    if (head === items.length) {
      items = [];
      head = 0;
    } else if (head > 1024 && head * 2 > items.length) {
      items = items.slice(head);
      head = 0;
    }
  };

  return {
    push(item) {
      items.push(item);
    },
    pushFront(item) {
      if (head > 0) items[--head] = item;
      else items.unshift(item);
    },
    shift() {
      while (head < items.length) {
        const item = items[head];
        items[head] = undefined;
        head++;
        if (item !== undefined && isLive(item)) {
          compact();
          return item;
        }
      }
      compact();
      return undefined;
    },
    drain() {
      const live: T[] = [];
      for (let i = head; i < items.length; i++) {
        const item = items[i];
        if (item !== undefined && isLive(item)) live.push(item);
      }
      items = [];
      head = 0;
      return live;
    },
  };
}
