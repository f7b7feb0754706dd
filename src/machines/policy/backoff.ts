// How long to wait before attempt N (a reconnect, a crash respawn, a busy retry). Pure: the caller passes the
// randomness, so a test (or a model traversal) can pin the jitter and get exact numbers.
import { defaults } from '../defaults.js';

/** The shape of `options.reconnect` (src/config.ts), so the runtime can pass it through as is. */
export interface BackoffPolicy {
  /** Wait before the first reconnect attempt. */
  initialDelayMs: number;
  /** Growth per attempt. */
  multiplier: number;
  /** Ceiling of any wait, jitter included. */
  maxDelayMs: number;
  /** Fraction (0..1) of the wait that randomness may take off. */
  jitter: number;
}

/** Reconnect waits unless the host says otherwise (the reasons are in src/machines/defaults.ts). */
export const DEFAULT_BACKOFF_POLICY: Readonly<BackoffPolicy> = Object.freeze({ ...defaults.reconnect });

/** Fills the fields a host left out with the defaults. */
export function resolveBackoffPolicy(partial: Partial<BackoffPolicy> = {}): BackoffPolicy {
  return {
    initialDelayMs: partial.initialDelayMs ?? DEFAULT_BACKOFF_POLICY.initialDelayMs,
    multiplier: partial.multiplier ?? DEFAULT_BACKOFF_POLICY.multiplier,
    maxDelayMs: partial.maxDelayMs ?? DEFAULT_BACKOFF_POLICY.maxDelayMs,
    jitter: partial.jitter ?? DEFAULT_BACKOFF_POLICY.jitter,
  };
}

/**
 * The wait before reconnect attempt `attempt` (1-based): `initialDelayMs * multiplier^(attempt-1)`,
 * capped at `maxDelayMs`, then shortened by up to `jitter` of itself. Jitter only ever subtracts, so
 * `maxDelayMs` is a true ceiling and `random() = 0` gives the plain exponential numbers.
 * `random` returns a number in [0, 1) like Math.random; values outside are clamped.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const step = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const ceilingMs = Math.max(0, policy.maxDelayMs);
  // Infinity (a huge attempt) is fine here: Math.min brings it back to the ceiling.
  const exponentialMs = Math.max(0, policy.initialDelayMs) * Math.max(1, policy.multiplier) ** (step - 1);
  const baseMs = Math.min(ceilingMs, exponentialMs);
  const jitter = clamp(policy.jitter, 0, 1);
  const r = clamp(random(), 0, 1);
  return Math.round(baseMs * (1 - jitter * r));
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}
