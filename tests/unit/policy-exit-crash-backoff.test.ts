import { describe, expect, it } from 'vitest';
import { crashBackoffDelayMs, decideCrashRespawn, defaultCrashPolicy, type CrashPolicy } from '../../src/machines/policy/crash-backoff.js';

const noJitter = () => 0;
const policy: CrashPolicy = defaultCrashPolicy;

describe('crash respawn decision', () => {
  it('respawns at once after a crash that followed a stable run, and starts the count again', () => {
    expect(decideCrashRespawn({ crashCount: 0, uptimeMs: 30_000 }, policy, noJitter)).toEqual({
      action: 'respawn-now',
      crashCount: 1,
    });
    expect(decideCrashRespawn({ crashCount: 3, uptimeMs: 3_600_000 }, policy, noJitter)).toEqual({
      action: 'respawn-now',
      crashCount: 1,
    });
  });

  it('backs off 1 s, 2 s, 4 s, 8 s while the child keeps dying before it is stable', () => {
    const delays = [0, 1, 2, 3].map((crashCount) => decideCrashRespawn({ crashCount, uptimeMs: 29_999 }, policy, noJitter));
    expect(delays).toEqual([
      { action: 'respawn-later', crashCount: 1, delayMs: 1_000 },
      { action: 'respawn-later', crashCount: 2, delayMs: 2_000 },
      { action: 'respawn-later', crashCount: 3, delayMs: 4_000 },
      { action: 'respawn-later', crashCount: 4, delayMs: 8_000 },
    ]);
  });

  it('gives up on the maxAttempts-th consecutive crash', () => {
    expect(decideCrashRespawn({ crashCount: 4, uptimeMs: 1_000 }, policy, noJitter)).toEqual({
      action: 'give-up',
      crashCount: 5,
    });
    const once: CrashPolicy = { ...policy, maxAttempts: 1 };
    expect(decideCrashRespawn({ crashCount: 0, uptimeMs: 60_000 }, once, noJitter)).toEqual({
      action: 'give-up',
      crashCount: 1,
    });
  });

  it('caps the delay at 30 s and lets jitter only shorten it, by at most 20 %', () => {
    expect(crashBackoffDelayMs(20, policy.backoff, noJitter)).toBe(30_000);
    expect(crashBackoffDelayMs(20, policy.backoff, () => 0.999_999)).toBe(24_000);
    expect(crashBackoffDelayMs(1, policy.backoff, () => 0.5)).toBe(900);
  });
});
