// Plain, serializable views of an account snapshot, with OpenClaw's ChannelAccountSnapshot field names.
import type { SnapshotFrom } from 'xstate';
import type { channelAccountMachine } from './account.machine.js';
import { classifyRemote, type mirroredAccountMachine } from './mirror.machine.js';
import { setField } from './extra.js';
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
  return readLifecycle(snapshot).meta;
}

/** A fresh plain object per call: the manager keeps no status per account, it reads them from the snapshots. */
export function selectAccountStatus(snapshot: ChannelAccountSnapshotOf, now: number): ChannelAccountStatus {
  const { context } = snapshot;
  const { meta, top, sub } = readLifecycle(snapshot);
  // Built field by field, not with spreads: on node 20 a spread-built object gets a hidden class of its own.
  const status: ChannelAccountStatus = {
    accountId: context.accountId,
    enabled: meta.state !== 'disabled',
    configured: meta.state !== 'unconfigured',
    running: (snapshot.value as { task?: unknown }).task === 'live',
    restartPending: meta.state === 'restartPending',
    reconnectAttempts: context.attempts,
    lastError: context.lastError,
    lastStartAt: context.lastStartAt,
    lastStopAt: context.lastStopAt,
    lastEventAt: context.lastEventAt,
    healthState: healthStateOf(context, meta, top === 'stopping' && sub === 'forRestart'),
    lifecycle: meta.lifecycle,
    state: meta.state,
    restartsThisHour: restartsInHour(context.restartTimes, now),
    manuallyStopped: top === 'stopped' || (top === 'stopping' && sub === 'byHand'),
    generation: context.generation,
  };
  if (context.link.connected !== undefined) status.connected = context.link.connected;
  if (context.link.busy) status.busy = true;
  // The plugin's own fields never replace the chart's.
  for (const key in context.extra) if (!Object.hasOwn(status, key)) setField(status, key, context.extra[key]);
  return status;
}

/**
 * The lifecycle region's state and sub-state (`stopping`, `byHand`) and the deepest meta among them: a walk
 * down the region's value and the chart's own state nodes. A status is read per account per snapshot (10,000
 * at a time), where `getMeta()` and `matches()` build and normalise objects on each call.
 */
function readLifecycle(snapshot: ChannelAccountSnapshotOf): { meta: ChannelAccountStateMeta; top: string | undefined; sub: string | undefined } {
  let node = snapshot.machine.root.states.lifecycle;
  let value: unknown = (snapshot.value as { lifecycle?: unknown }).lifecycle;
  let meta: ChannelAccountStateMeta = { lifecycle: 'stopped', state: 'idle' };
  const keys: string[] = [];
  while (node !== undefined && value !== undefined) {
    const key = typeof value === 'string' ? value : Object.keys(value as object)[0];
    if (key === undefined) break;
    keys.push(key);
    node = node.states[key];
    const own = node?.meta as Partial<ChannelAccountStateMeta> | undefined;
    if (own?.lifecycle !== undefined) meta = own as ChannelAccountStateMeta;
    value = typeof value === 'string' ? undefined : (value as Record<string, unknown>)[key];
  }
  return { meta, top: keys[0], sub: keys[1] };
}

function healthStateOf(context: ChannelAccountSnapshotOf['context'], meta: ChannelAccountStateMeta, stoppingForRestart: boolean): string {
  if (meta.state === 'blocked') return `blocked: ${context.reason ?? 'unhealthy'}`;
  if (meta.state === 'running') return context.link.connected === false ? 'disconnected' : 'healthy';
  if (meta.state === 'restartPending' || stoppingForRestart) return context.lastRestartReason ?? 'crash';
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
