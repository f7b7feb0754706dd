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

/** The lifecycle meta of the deepest lifecycle state that declares one, read from the chart's own state nodes. */
export function selectAccountMeta(snapshot: ChannelAccountSnapshotOf): ChannelAccountStateMeta {
  // A walk down the lifecycle region's value: a status is read per account per snapshot (10,000 at a time),
  // and `getMeta()` builds an object of every active node's meta on each call.
  let node = snapshot.machine.root.states.lifecycle;
  let value: unknown = (snapshot.value as { lifecycle?: unknown }).lifecycle;
  let best: ChannelAccountStateMeta | undefined;
  while (node !== undefined && value !== undefined) {
    const key = typeof value === 'string' ? value : Object.keys(value as object)[0];
    if (key === undefined) break;
    node = node.states[key];
    const meta = node?.meta as Partial<ChannelAccountStateMeta> | undefined;
    if (meta?.lifecycle !== undefined) best = meta as ChannelAccountStateMeta;
    value = typeof value === 'string' ? undefined : (value as Record<string, unknown>)[key];
  }
  return best ?? { lifecycle: 'stopped', state: 'idle' };
}

/** A fresh plain object per call: the manager keeps no status per account, it reads them from the snapshots. */
export function selectAccountStatus(snapshot: ChannelAccountSnapshotOf, now: number): ChannelAccountStatus {
  const { context } = snapshot;
  const meta = selectAccountMeta(snapshot);
  const stoppedByHand = snapshot.matches({ lifecycle: 'stopped' }) || snapshot.matches({ lifecycle: { stopping: 'byHand' } });
  // Built field by field, not with spreads: on node 20 a spread-built object gets a hidden class of its own.
  const status: ChannelAccountStatus = {
    accountId: context.accountId,
    enabled: meta.state !== 'disabled',
    configured: meta.state !== 'unconfigured',
    running: snapshot.matches({ task: 'live' }),
    restartPending: meta.state === 'restartPending',
    reconnectAttempts: context.attempts,
    lastError: context.lastError,
    lastStartAt: context.lastStartAt,
    lastStopAt: context.lastStopAt,
    lastEventAt: context.lastEventAt,
    healthState: healthStateOf(snapshot, meta),
    lifecycle: meta.lifecycle,
    state: meta.state,
    restartsThisHour: restartsInHour(context.restartTimes, now),
    manuallyStopped: stoppedByHand,
    generation: context.generation,
  };
  if (context.link.connected !== undefined) status.connected = context.link.connected;
  if (context.link.busy) status.busy = true;
  // The plugin's own fields never replace the chart's.
  for (const key in context.extra) if (!(key in status)) status[key] = context.extra[key];
  return status;
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
