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

/** The flat state name: the sub-steps of a session are reported by their own names. */
export function selectConnectionState(snapshot: ConnectionSnapshot): ConnectionStateName {
  if (snapshot.matches({ session: 'ready' })) return 'ready';
  if (snapshot.matches({ session: 'closing' })) return 'closing';
  if (snapshot.matches({ session: { handshake: 'awaitingChallenge' } })) return 'awaitingChallenge';
  if (snapshot.matches({ session: { handshake: 'connecting' } })) return 'connecting';
  if (snapshot.matches({ session: 'handshake' })) return 'opening';
  if (snapshot.matches('backoff')) return 'backoff';
  if (snapshot.matches('paused')) return 'paused';
  if (snapshot.matches('closed')) return 'closed';
  // `deciding` is transient and never observed in a snapshot.
  return 'idle';
}

/** True while requests can be sent. */
export function selectIsReady(snapshot: ConnectionSnapshot): boolean {
  return snapshot.hasTag('connected');
}
