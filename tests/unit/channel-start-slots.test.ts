// The start gate of the channel manager: at most `limit` accounts in `starting`, and at most `perSecond`
// slots handed out per second (a burst of `limit`), on a fake clock, so the pace is a count, not a timing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStartSlots } from '../../src/runtime/channel-start-slots.js';
import { restartCurveMs } from '../../src/machines/channels/health.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Each grant is given back at once: a start that takes no time, the case concurrency alone does not pace. */
function crowd(count: number, slots: ReturnType<typeof createStartSlots>, grantedAt: number[]): void {
  for (let i = 0; i < count; i++) {
    const release = slots.acquire(() => {
      grantedAt.push(Date.now());
      queueMicrotask(() => release());
    });
  }
}

describe('channel start slots', () => {
  it('hand out at most perSecond slots a second, after a burst of limit, even when each start frees its slot at once', async () => {
    const slots = createStartSlots({ limit: 4, perSecond: 100, now: () => Date.now() });
    const grantedAt: number[] = [];
    crowd(40, slots, grantedAt);
    await vi.advanceTimersByTimeAsync(1_000);
    const t0 = grantedAt[0]!;
    // 4 at once, then one every 10 ms: 4 + 100 in the first second would be the ceiling.
    expect(grantedAt.filter((t) => t - t0 < 100).length).toBeLessThanOrEqual(4 + 10);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(grantedAt).toHaveLength(40);
    for (let i = 0; i + 14 < grantedAt.length; i++) expect(grantedAt[i + 14]! - grantedAt[i]!).toBeGreaterThanOrEqual(100);
    expect(slots.waiting).toBe(0);
    expect(slots.inUse).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never holds more than limit slots at once, and a cancelled waiter never gets one', async () => {
    const slots = createStartSlots({ limit: 2, perSecond: 1_000, now: () => Date.now() });
    const releases: Array<() => void> = [];
    let granted = 0;
    for (let i = 0; i < 5; i++) releases.push(slots.acquire(() => granted++));
    expect(slots.inUse).toBe(2);
    releases[3]!(); // cancelled while waiting
    releases[0]!();
    releases[1]!();
    await vi.advanceTimersByTimeAsync(50);
    expect(granted).toBe(4);
    expect(slots.inUse).toBe(2);
    releases[2]!();
    releases[4]!();
    await vi.advanceTimersByTimeAsync(50);
    expect(slots.inUse).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('channel restart curve', () => {
  const policy = { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0.1 };
  it("adds up to `jitter` of the wait, as OpenClaw's computeBackoff does, and caps the sum at maxMs", () => {
    expect(restartCurveMs(policy, 1, () => 0)).toBe(5_000);
    expect(restartCurveMs(policy, 1, () => 0.999)).toBe(5_500);
    expect(restartCurveMs(policy, 2, () => 0.5)).toBe(10_500);
    expect(restartCurveMs(policy, 7, () => 0)).toBe(300_000);
    expect(restartCurveMs(policy, 7, () => 0.9)).toBe(300_000);
    expect(restartCurveMs({ ...policy, jitter: 0 }, 1, () => 0.9)).toBe(5_000);
  });
});
