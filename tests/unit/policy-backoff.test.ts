import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF_POLICY, resolveBackoffPolicy, type BackoffPolicy } from '../../src/machines/policy/backoff.js';

const noJitter = () => 0;
const policy: BackoffPolicy = { ...DEFAULT_BACKOFF_POLICY };

describe('backoff policy', () => {
  it('doubles from 1 s and settles at 30 s by default', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((attempt) => backoffDelayMs(attempt, policy, noJitter));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('takes at most `jitter` of the wait off, and never adds to it', () => {
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(900);
    expect(backoffDelayMs(6, policy, () => 0.5)).toBe(27_000);
    for (let r = 0; r < 1; r += 0.05) {
      const delayMs = backoffDelayMs(3, policy, () => r);
      expect(delayMs).toBeGreaterThanOrEqual(3_200);
      expect(delayMs).toBeLessThanOrEqual(4_000);
    }
  });

  it('keeps the ceiling when the exponent overflows', () => {
    expect(backoffDelayMs(10_000, policy, noJitter)).toBe(30_000);
    expect(backoffDelayMs(Number.MAX_SAFE_INTEGER, policy, noJitter)).toBe(30_000);
  });

  it('treats attempts below 1, fractional or not finite as the first step', () => {
    for (const attempt of [0, -3, Number.NaN, Number.NEGATIVE_INFINITY]) {
      expect(backoffDelayMs(attempt, policy, noJitter)).toBe(1_000);
    }
    expect(backoffDelayMs(2.7, policy, noJitter)).toBe(2_000);
  });

  it('clamps a random source that leaves [0, 1)', () => {
    expect(backoffDelayMs(1, policy, () => -1)).toBe(1_000);
    expect(backoffDelayMs(1, policy, () => 7)).toBe(800);
    expect(backoffDelayMs(1, policy, () => Number.NaN)).toBe(1_000);
  });

  it('honours a custom policy, including an initial wait above the ceiling', () => {
    const custom: BackoffPolicy = { initialDelayMs: 250, multiplier: 3, maxDelayMs: 5_000, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, custom, () => 0.9))).toEqual([250, 750, 2_250, 5_000, 5_000]);
    expect(backoffDelayMs(1, { ...custom, initialDelayMs: 9_000 }, noJitter)).toBe(5_000);
  });

  it('never shrinks with a multiplier below 1, and never goes negative', () => {
    expect(backoffDelayMs(4, { ...policy, multiplier: 0.5 }, noJitter)).toBe(1_000);
    expect(backoffDelayMs(1, { ...policy, initialDelayMs: -5 }, noJitter)).toBe(0);
    expect(backoffDelayMs(1, { ...policy, jitter: 3 }, () => 0.5)).toBe(500);
  });

  it('fills the fields a host left out with the defaults', () => {
    expect(resolveBackoffPolicy()).toEqual(DEFAULT_BACKOFF_POLICY);
    expect(resolveBackoffPolicy({ maxDelayMs: 10_000 })).toEqual({ ...DEFAULT_BACKOFF_POLICY, maxDelayMs: 10_000 });
  });
});
