// Read-only views of a connection snapshot, for hosts (`useSelector`, status endpoints) and the inspector.
import type { SnapshotFrom } from 'xstate';
import type { ConnectionMachine } from './connection.machine.js';
import type { ConnectionStateName, ConnectionStatusView } from './types.js';

type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>;

/** A plain, JSON-safe status: no actor refs, no functions, nothing that changes identity per read. */
export function selectConnectionStatus(snapshot: ConnectionSnapshot): ConnectionStatusView {
  const { context } = snapshot;
  const state = selectConnectionState(snapshot);
  const status: ConnectionStatusView = {
    state,
    url: context.url,
    attempt: context.attempt,
    ready: state === 'ready',
  };
  if (state === 'paused' && context.pauseReason !== undefined) status.pauseReason = context.pauseReason;
  if (state === 'backoff' && context.retryDelayMs !== undefined) status.retryInMs = context.retryDelayMs;
  if (context.lastClose !== undefined) status.lastClose = { ...context.lastClose };
  if (context.hello !== undefined) {
    const { serverVersion, bootId, connId } = context.hello;
    status.server = { version: serverVersion, bootId, connId };
  }
  return status;
}

/**
 * The flat state name: the sub-steps of a session are reported by their own names. Read from the state
 * value directly: it runs on every status change, and `matches` builds a value per call.
 */
export function selectConnectionState(snapshot: ConnectionSnapshot): ConnectionStateName {
  const value: unknown = snapshot.value;
  if (typeof value === 'string') {
    // `deciding` is transient and never observed in a snapshot.
    return value === 'backoff' || value === 'paused' || value === 'closed' ? value : 'idle';
  }
  const session = (value as { session?: unknown }).session;
  if (session === 'closing') return 'closing';
  if (typeof session !== 'object' || session === null) return 'idle';
  if ('ready' in session) return 'ready';
  const step = (session as { handshake?: unknown }).handshake;
  return step === 'awaitingChallenge' || step === 'connecting' ? step : 'opening';
}

/** True while requests can be sent. */
export function selectIsReady(snapshot: ConnectionSnapshot): boolean {
  return snapshot.hasTag('connected');
}
