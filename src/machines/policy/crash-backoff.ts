// When an owned gateway child exits without being asked to, decide what the supervisor does next:
// respawn at once, respawn after a delay, or give up. Pure: the caller passes the crash history and a
// random source, so the decision is reproducible in tests.
import { defaults } from '../defaults.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

export interface CrashPolicy {
  /** Consecutive crashes after which the supervisor gives up (the last one is not respawned). */
  maxAttempts: number;
  /** A child that ran at least this long before exiting had been healthy: respawned at once. */
  stableUptimeMs: number;
  /** Delay between respawns of a child that keeps crashing soon after it was spawned. */
  backoff: BackoffPolicy;
}

/** The crash limits of src/machines/defaults.ts, respawning on the reconnect curve. */
export const defaultCrashPolicy: CrashPolicy = { ...defaults.crash, backoff: { ...defaults.reconnect } };

export type CrashDecision =
  /** First crash after a stable run: respawn now. `crashCount` restarts at 1. */
  | { action: 'respawn-now'; crashCount: number }
  /** Crashing again soon after a spawn: respawn after `delayMs`. */
  | { action: 'respawn-later'; crashCount: number; delayMs: number }
  /** `maxAttempts` consecutive crashes: stop trying. */
  | { action: 'give-up'; crashCount: number };

export interface CrashHistory {
  /** Consecutive crashes before this one. */
  crashCount: number;
  /** How long the child that just exited had been running. */
  uptimeMs: number;
}

/** Decide what follows a crash. `random` returns a number in [0, 1), like Math.random. */
export function decideCrashRespawn(history: CrashHistory, policy: CrashPolicy, random: () => number): CrashDecision {
  const stable = history.uptimeMs >= policy.stableUptimeMs;
  const crashCount = stable ? 1 : history.crashCount + 1;
  if (crashCount >= policy.maxAttempts) return { action: 'give-up', crashCount };
  if (stable) return { action: 'respawn-now', crashCount };
  return { action: 'respawn-later', crashCount, delayMs: crashBackoffDelayMs(crashCount, policy.backoff, random) };
}

/**
 * Delay before respawning after consecutive crash number `crashCount` (1-based): the shared backoff
 * curve (initial x multiplier^(n-1), capped, shortened by up to `jitter`).
 */
export function crashBackoffDelayMs(crashCount: number, policy: BackoffPolicy, random: () => number): number {
  return backoffDelayMs(crashCount, policy, random);
}
