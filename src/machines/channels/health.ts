// The account's restart arithmetic, as pure functions of its context and a time: the hourly budget every
// restart path charges, the wait before a crash restart, and the monitor's verdict.
import type { ChannelAccountContext, ChannelAccountSettings, ChannelRestartPolicy, HealthReason } from './types.js';

const HOUR_MS = 3_600_000;

/** Restarts charged within the hour before `at`. */
export function restartsInHour(restartTimes: readonly number[], at: number): number {
  // An index loop: for-of over the shared frozen empty list takes V8's slow iterator path (8 ms a snapshot of 10,000).
  let count = 0;
  for (let i = 0; i < restartTimes.length; i++) if (at - restartTimes[i]! < HOUR_MS) count++;
  return count;
}

/** The restart times still inside the hour after charging one at `at` (bounded by the budget). */
export function chargeRestart(restartTimes: readonly number[], at: number, maxPerHour: number): number[] {
  const kept = restartTimes.filter((time) => at - time < HOUR_MS);
  kept.push(at);
  return kept.slice(-Math.max(1, maxPerHour));
}

/** Ms from `at` until the budget has room for one more restart (0 when it has now). */
export function budgetWaitMs(restartTimes: readonly number[], at: number, maxPerHour: number): number {
  const inHour = restartTimes.filter((time) => at - time < HOUR_MS);
  if (inHour.length < maxPerHour) return 0;
  // The oldest charge that must leave the window before one more fits.
  const oldest = inHour[inHour.length - maxPerHour]!;
  return Math.max(0, oldest + HOUR_MS - at);
}

/**
 * The wait before crash restart `attempt` (1-based): OpenClaw's curve and jitter as its `computeBackoff`
 * applies them (`initialMs * factor^(attempt-1)`, plus up to `jitter` of that, capped at `maxMs`), and never
 * before the hourly budget has room.
 */
export function crashRestartDelayMs(
  settings: ChannelAccountSettings,
  context: Pick<ChannelAccountContext, 'restartTimes' | 'traits'>,
  attempt: number,
  at: number,
): number {
  return Math.max(
    restartCurveMs(settings.restartPolicy, attempt, context.traits.random),
    budgetWaitMs(context.restartTimes, at, settings.health.maxRestartsPerHour),
  );
}

/** OpenClaw's `computeBackoff`: the jitter adds to the wait (so accounts spread after the plain curve), and `maxMs` caps the sum. */
export function restartCurveMs(policy: ChannelRestartPolicy, attempt: number, random: () => number): number {
  const step = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const baseMs = Math.max(0, policy.initialMs) * Math.max(1, policy.factor) ** (step - 1);
  const jitterMs = baseMs * clamp01(policy.jitter) * clamp01(random());
  return Math.min(Math.max(0, policy.maxMs), Math.round(baseMs + jitterMs));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/**
 * Why the monitor would restart a running account at `now`, or null. Activity older than the last start
 * is ignored, and an account that never had an event is not stale (openclaw#34052).
 */
export function healthVerdict(context: ChannelAccountContext, now: number): HealthReason | null {
  const health = context.settings.health;
  const since = context.lastStartAt ?? 0;
  const link = context.link;
  if (context.traits.staleChecks && link.connected === true && context.lastEventAt !== null && context.lastEventAt >= since) {
    if (now - context.lastEventAt > health.staleEventMs) return 'stale-socket';
  }
  if (link.busy && link.busySince !== null && now - Math.max(link.busySince, since) > health.stuckMs) return 'stuck';
  if (link.connected === false && now - Math.max(link.disconnectedSince ?? since, since) > health.connectGraceMs) return 'disconnected';
  return null;
}
