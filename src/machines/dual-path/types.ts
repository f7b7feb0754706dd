// Shapes of the dual-path chart: a fleet view kept live through the gateway's WebSocket, with HTTP polling
// of its real HTTP surface while the socket is not ready.
import type { ConnectionNotice } from '../connection/types.js';
import type { BackoffPolicy } from '../policy/backoff.js';

export interface DualPathInput {
  /** The instance key: the socket, the sync and the poll resolve their parts (URL, token, store) by it. */
  key: string;
  /** The gateway's WebSocket URL. */
  url: string;
  /** From start, how long the socket gets to reach `hello-ok` before polling begins. */
  wsReadyTimeoutMs?: number;
  /** Period of HTTP polls while the socket is not ready. */
  pollIntervalMs?: number;
  /** A lost socket gets this long to come back before polling resumes. */
  lossGraceMs?: number;
  reconnect?: Partial<BackoffPolicy>;
  challengeTimeoutMs?: number;
}

/** What a failed poll or sync said, typed for the status (never a secret). */
export interface PathFailure {
  code: string;
  message: string;
}

export interface DualPathContext {
  key: string;
  url: string;
  wsReadyTimeoutMs: number;
  pollIntervalMs: number;
  lossGraceMs: number;
  reconnect: Partial<BackoffPolicy> | undefined;
  challengeTimeoutMs: number | undefined;
  /** The `bootId` of the last `hello-ok`: the sync actor's input. */
  bootId: string | undefined;
  lastPollFailure: PathFailure | undefined;
  lastSyncFailure: PathFailure | undefined;
  /** Polls answered since start (bounded use: status only, not part of any guard). */
  polls: number;
}

export type DualPathCommand = { type: 'fleet.stop' };

export type DualPathEvent = DualPathCommand | ConnectionNotice;

/** Input of the `initialSync` actor: `agents.list` and `sessions.list` after a `hello-ok`. */
export interface SyncInput {
  key: string;
  bootId: string | undefined;
}

/** Input of the `httpPoll` actor: `/readyz` and `sessions_list` over HTTP. */
export interface PollInput {
  key: string;
}

export type DualPathEmitted =
  | { type: 'fleet.path'; path: FleetPathName }
  | { type: 'fleet.pollFailed'; failure: PathFailure }
  | { type: 'fleet.syncFailed'; failure: PathFailure };

/** Which path feeds the view right now. */
export type FleetPathName = 'starting' | 'websocket' | 'grace' | 'http' | 'stopped';

export interface DualPathStatusView {
  path: FleetPathName;
  /** `syncing` while agents.list / sessions.list run after a hello-ok; `failing` after a poll error. */
  phase: 'waiting' | 'syncing' | 'streaming' | 'fetching' | 'healthy' | 'failing' | 'stopped';
  polls: number;
  lastPollFailure?: PathFailure;
  lastSyncFailure?: PathFailure;
}
