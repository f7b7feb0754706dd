// Plain, serializable views of an account snapshot, with OpenClaw's ChannelAccountSnapshot field names.
import type { SnapshotFrom } from 'xstate';
import type { channelAccountMachine } from './account.machine.js';
import { classifyRemote, type mirroredAccountMachine } from './mirror.machine.js';
import { restartsInHour } from './health.js';
import type { AccountLifecycle, ChannelAccountStateMeta } from './types.js';

export type ChannelAccountSnapshotOf = SnapshotFrom<typeof channelAccountMachine>;

export interface ChannelAccountStatus {
  accountId: string;
  enabled: boolean;
  configured: boolean;
  /** The plugin's task is alive (also while it ignores its abort). */
  running: boolean;
  connected?: boolean;
  restartPending: boolean;
  /** Crash restarts in the current series (OpenClaw's name). */
  reconnectAttempts: number;
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  lastEventAt: number | null;
  busy?: boolean;
  /** `healthy` while running with nothing to report, else what the monitor or the plugin last said. */
  healthState: string;
  lifecycle: AccountLifecycle;
  /** The state a reader points at: idle, disabled, unconfigured, starting, running, stopping, restartPending, stopped, gaveUp, loggedOut, blocked. */
  state: string;
  /** Restarts charged to the hourly budget within the hour before `now`. */
  restartsThisHour: number;
  manuallyStopped: boolean;
  generation: number;
  /** Anything else the plugin reported (`name`, `mode`, ...). */
  [field: string]: unknown;
}

/** The lifecycle meta of the deepest lifecycle state that declares one. */
export function selectAccountMeta(snapshot: ChannelAccountSnapshotOf): ChannelAccountStateMeta {
  let best: { depth: number; meta: ChannelAccountStateMeta } | undefined;
  for (const [id, meta] of Object.entries(snapshot.getMeta())) {
    if (typeof meta !== 'object' || meta === null || !('lifecycle' in meta)) continue;
    const depth = id.split('.').length;
    if (best === undefined || depth > best.depth) best = { depth, meta: meta as ChannelAccountStateMeta };
  }
  return best?.meta ?? { lifecycle: 'stopped', state: 'idle' };
}

export function selectAccountStatus(snapshot: ChannelAccountSnapshotOf, now: number): ChannelAccountStatus {
  const { context } = snapshot;
  const meta = selectAccountMeta(snapshot);
  const stoppedByHand = snapshot.matches({ lifecycle: 'stopped' }) || snapshot.matches({ lifecycle: { stopping: 'byHand' } });
  return {
    ...context.extra,
    accountId: context.accountId,
    enabled: !snapshot.matches({ lifecycle: 'disabled' }),
    configured: !snapshot.matches({ lifecycle: 'unconfigured' }),
    running: snapshot.matches({ task: 'live' }),
    ...(context.link.connected === undefined ? {} : { connected: context.link.connected }),
    restartPending: snapshot.matches({ lifecycle: 'restartPending' }),
    reconnectAttempts: context.attempts,
    lastError: context.lastError,
    lastStartAt: context.lastStartAt,
    lastStopAt: context.lastStopAt,
    lastEventAt: context.lastEventAt,
    ...(context.link.busy ? { busy: true } : {}),
    healthState: healthStateOf(snapshot, meta),
    lifecycle: meta.lifecycle,
    state: meta.state,
    restartsThisHour: restartsInHour(context.restartTimes, now),
    manuallyStopped: stoppedByHand,
    generation: context.generation,
  };
}

function healthStateOf(snapshot: ChannelAccountSnapshotOf, meta: ChannelAccountStateMeta): string {
  const { context } = snapshot;
  if (meta.state === 'blocked') return `blocked: ${context.reason ?? 'unhealthy'}`;
  if (meta.state === 'running') return context.link.connected === false ? 'disconnected' : 'healthy';
  if (meta.state === 'restartPending' || snapshot.matches({ lifecycle: { stopping: 'forRestart' } })) return context.lastRestartReason ?? 'crash';
  return meta.state;
}

/** A mirrored account in the same shape; `stale: true` while the control connection is down. */
export function selectMirroredAccountStatus(snapshot: SnapshotFrom<typeof mirroredAccountMachine>): ChannelAccountStatus {
  const { context } = snapshot;
  const remote = context.remote ?? { accountId: context.accountId };
  const stale = snapshot.matches('stale');
  const kind = context.remote === null ? 'unknown' : classifyRemote(remote);
  const meta = stale ? { lifecycle: lifecycleOfKind(kind), state: kind } : (Object.values(snapshot.getMeta())[0] as ChannelAccountStateMeta);
  return {
    ...remote,
    accountId: context.accountId,
    enabled: remote.enabled !== false,
    configured: remote.configured !== false,
    running: remote.running === true,
    ...(typeof remote.connected === 'boolean' ? { connected: remote.connected } : {}),
    restartPending: kind === 'restartPending',
    reconnectAttempts: typeof remote.reconnectAttempts === 'number' ? remote.reconnectAttempts : 0,
    lastError: typeof remote.lastError === 'string' ? remote.lastError : null,
    lastStartAt: typeof remote.lastStartAt === 'number' ? remote.lastStartAt : null,
    lastStopAt: typeof remote.lastStopAt === 'number' ? remote.lastStopAt : null,
    lastEventAt: typeof remote.lastEventAt === 'number' ? remote.lastEventAt : null,
    healthState: typeof remote.healthState === 'string' ? remote.healthState : kind,
    lifecycle: meta.lifecycle,
    state: meta.state,
    restartsThisHour: 0,
    manuallyStopped: false,
    generation: 0,
    stale,
    ...(context.lastOutcome === null ? {} : { lastOutcome: context.lastOutcome }),
  };
}

function lifecycleOfKind(kind: string): AccountLifecycle {
  if (kind === 'running') return 'ready';
  if (kind === 'restartPending') return 'recovering';
  if (kind === 'starting' || kind === 'blocked') return kind;
  return 'stopped';
}
