// Types and event names of the channel account machine: one account of one channel (in-process plugin),
// its task, and the health monitor that watches it. The machine never reads the clock: every event that
// moves time carries `at` (ms since the epoch), stamped by the runtime, and the monitor reads the clock
// through its `readClock` actor.
import { defaults } from '../defaults.js';

/** OpenClaw's own names for the restart curve (`CHANNEL_RESTART_POLICY`). */
export interface ChannelRestartPolicy {
  /** Wait before the first restart. */
  initialMs: number;
  /** Ceiling of any wait. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** Fraction (0..1) of the wait that randomness may add (OpenClaw's computeBackoff); `maxMs` still caps the sum. */
  jitter: number;
}

export interface ChannelHealthSettings {
  /** First check this long after the account's actor started. */
  graceMs: number;
  /** Then one check every `checkIntervalMs`. */
  checkIntervalMs: number;
  /** Connected and no event for this long: stale socket. */
  staleEventMs: number;
  /** Busy for longer than this: stuck. */
  stuckMs: number;
  /** Reported disconnected for longer than this: restart. */
  connectGraceMs: number;
  /** Restarts in any hour, every path (crash and monitor) charged to the same budget. */
  maxRestartsPerHour: number;
  /** Checks skipped after a monitor restart. */
  cooldownChecks: number;
}

export interface ChannelAccountSettings {
  restartPolicy: ChannelRestartPolicy;
  maxRestartAttempts: number;
  stableRunMs: number;
  stopWaitMs: number;
  health: ChannelHealthSettings;
}

export const defaultChannelAccountSettings: ChannelAccountSettings = {
  restartPolicy: { ...defaults.channels.restartPolicy },
  maxRestartAttempts: defaults.channels.maxRestartAttempts,
  stableRunMs: defaults.channels.stableRunMs,
  stopWaitMs: defaults.channels.stopWaitMs,
  health: { ...defaults.channels.health },
};

export interface ChannelAccountInput {
  channelId: string;
  accountId: string;
  settings?: Partial<Omit<ChannelAccountSettings, 'health' | 'restartPolicy'>> & {
    restartPolicy?: Partial<ChannelRestartPolicy>;
    health?: Partial<ChannelHealthSettings>;
  };
  /** The health monitor's enabled flag (account setting over channel setting, default on). */
  healthMonitor?: boolean;
  /** False for webhook-style transports: no stale-socket checks. */
  staleChecks?: boolean;
  /** Randomness for the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

/** What the plugin reports through `ctx.setStatus(patch)`; the fields the machine acts on. */
export interface ChannelStatusPatch {
  connected?: boolean;
  /** A run is in progress. */
  busy?: boolean;
  /** Time of the latest inbound or outbound activity, if the plugin keeps its own. */
  lastEventAt?: number;
  /** A reason string: the plugin is unhealthy, do not restart it. `false` or `null` clears it. */
  blocked?: string | false | null;
  lastError?: string | null;
  /** Anything else the plugin reports (name, mode, ...) is kept and shown in the snapshot. */
  [field: string]: unknown;
}

/** How a restart came about, named in `lastError`/`lastRestartReason`. */
export type HealthReason = 'stale-socket' | 'stuck' | 'disconnected';

/** The result of reading the config for a start: the runtime calls `loadConfig()` and the plugin's hooks. */
export type ResolvedAccount = { kind: 'ready' } | { kind: 'disabled'; reason: string } | { kind: 'unconfigured'; reason: string };

export interface AccountInstanceInput {
  channelId: string;
  accountId: string;
}

export interface TaskActorInput extends AccountInstanceInput {
  generation: number;
}

/** Sent to the task actor. */
export type TaskCommand = { type: 'task.abort' };

/** What the task actor sends back. `generation` names the task; an old generation's signal is dropped. */
export type TaskSignal =
  | { type: 'task.started'; generation: number; at: number }
  | { type: 'task.exited'; generation: number; at: number; error: string }
  | { type: 'account.status'; generation: number; at: number; patch: ChannelStatusPatch };

export type ChannelAccountEvent =
  | TaskSignal
  /** Hand start: begins a fresh series (attempts 0) and lifts a hand stop, give-up, block or logout. */
  | { type: 'account.start'; at: number }
  /** Hand stop: no automatic restart until a hand start. */
  | { type: 'account.stop'; at: number }
  /** The plugin logged out (`markChannelLoggedOut`); `cleared` says the credentials are gone. */
  | { type: 'account.loggedOut'; cleared: boolean; at: number }
  | { type: 'account.resetAttempts' }
  /** The config changed the monitor's enabled flag. */
  | { type: 'monitor.configure'; enabled: boolean }
  /** From the start slot actor: this account may start now. */
  | { type: 'slot.granted' }
  /** Raised by the task region; never send from outside. */
  | { type: 'task.launch' }
  /** Raised by the monitor region; never send from outside. */
  | { type: 'monitor.restart'; reason: HealthReason; at: number };

/** What the plugin last said about its link (`ctx.setStatus`), kept together so the context stays small. */
export interface AccountLink {
  connected: boolean | undefined;
  /** When `connected` last became false (or the start, whichever is later). */
  disconnectedSince: number | null;
  busy: boolean;
  busySince: number | null;
}

/** Fixed when the account is created: the jitter's randomness and whether its transport has a socket to go stale. */
export interface AccountTraits {
  random: () => number;
  staleChecks: boolean;
}

/**
 * The account's context. Kept at 18 top-level fields on purpose: xstate's `assign` copies the context with
 * `Object.assign({}, context, update)`, and V8 turns an object built that way with more than 19 properties
 * into a hash table (about 1.6 KB per account instead of a few hundred bytes; docs/decisions.md).
 */
export interface ChannelAccountContext extends AccountInstanceInput {
  /** Shared by every account of a manager (resolved once per settings object). */
  settings: ChannelAccountSettings;
  traits: AccountTraits;
  healthMonitor: boolean;
  /** Bumped at each launch; the task actor's signals carry it. */
  generation: number;
  /** Consecutive crash restarts in the current series. */
  attempts: number;
  /** Times of the restarts in the last hour (every path), oldest first; at most `maxRestartsPerHour`. */
  restartTimes: number[];
  /** The wait chosen for the current restart-pending period. */
  restartDelayMs: number;
  /** Why the account is disabled, unconfigured, blocked or logged out. */
  reason: string | null;
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  lastEventAt: number | null;
  link: AccountLink;
  /** Monitor checks still to skip after a monitor restart. */
  cooldownLeft: number;
  lastRestartReason: HealthReason | 'crash' | null;
  /** Extra fields the plugin reported (`name`, `mode`, ...), shown as is. */
  extra: Record<string, unknown>;
}

/** The lifecycle name OpenClaw's snapshot uses. */
export type AccountLifecycle = 'starting' | 'ready' | 'recovering' | 'blocked' | 'stopped';

export interface ChannelAccountStateMeta {
  lifecycle: AccountLifecycle;
  /** The state a reader points at: disabled, unconfigured, starting, running, stopping, restartPending, stopped, gaveUp, loggedOut, blocked. */
  state: string;
}

export type ChannelAccountEmitted = { type: 'account.restarting'; reason: HealthReason | 'crash'; delayMs: number; attempts: number };
