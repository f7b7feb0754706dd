// One timer per timeout value instead of one per request (src/adapters/websocket/request-deadlines.ts):
// random adds, removals and clock steps, against what per-request timers would do.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRequestDeadlines, type DeadlineItem } from '../../src/adapters/websocket/request-deadlines.js';

interface Item extends DeadlineItem {
  readonly id: number;
}

/** A clock whose timers run in due order when it advances. */
function fakeClock() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (id: unknown) => void timers.delete(id as number),
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (next === undefined) break;
        timers.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = until;
    },
    armed: () => timers.size,
  };
}

describe('request deadlines', () => {
  it('expires each watched item once, at its deadline, and never a removed one', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), timeoutMs: fc.constantFrom(100, 250, 1_000) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const clock = fakeClock();
        const expired: Array<{ item: Item; at: number }> = [];
        const deadlines = createRequestDeadlines<Item>({ ...clock, expire: (item) => expired.push({ item, at: clock.now() }) });
        const live: Item[] = [];
        const removed = new Set<Item>();
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const item: Item = { id: ++id, timeoutMs: o.timeoutMs, deadlineAt: clock.now() + o.timeoutMs, deadlineNode: undefined };
            live.push(item);
            deadlines.add(item);
          } else if (o.kind === 'remove' && live.length > 0) {
            const [item] = live.splice(o.pick % live.length, 1);
            removed.add(item!);
            deadlines.remove(item!);
            deadlines.remove(item!);
          } else if (o.kind === 'advance') {
            clock.advance(o.ms);
            for (const { item } of expired) if (live.includes(item)) live.splice(live.indexOf(item), 1);
          }
        }
        clock.advance(2_000);
        const ids = expired.map((e) => e.item.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const { item, at } of expired) {
          expect(removed.has(item)).toBe(false);
          expect(at).toBe(item.deadlineAt);
        }
        expect(expired.length + removed.size).toBe(id);
        expect(deadlines.size()).toBe(0);
        deadlines.release();
        expect(clock.armed()).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps one timer per timeout value however many requests wait', () => {
    const clock = fakeClock();
    const deadlines = createRequestDeadlines<Item>({ ...clock, expire: () => {} });
    for (let i = 0; i < 1_000; i++)
      deadlines.add({ id: i, timeoutMs: i % 2 === 0 ? 100 : 200, deadlineAt: clock.now() + (i % 2 === 0 ? 100 : 200), deadlineNode: undefined });
    expect(clock.armed()).toBe(2);
    expect(deadlines.size()).toBe(1_000);
  });
});
