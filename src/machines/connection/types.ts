// Shapes of the connection machine: what it is given, what it remembers, what it hears.
import type { AnyActorRef } from 'xstate';
import type { SocketSignal } from '../../contracts/index.js';
import type { HelloSummary, WireError } from '../../protocol/index.js';
import type { BackoffPolicy } from '../policy/backoff.js';
import type { CloseKind } from '../policy/close-codes.js';

export interface ConnectionInput {
  /** The gateway's WebSocket URL, handed to every socket this connection opens. */
  url: string;
  /**
   * The instance key (default `default`): handed to the socket, which resolves the credentials by it, so
   * one socket adapter serves many connections and no secret sits in this machine's context.
   */
  key?: string;
  reconnect?: Partial<BackoffPolicy>;
  /**
   * Deadline for the whole pre-hello phase (open, `connect.challenge`, `hello-ok`), as the gateway's own
   * pre-auth deadline and the reference client's. Default 15 s.
   */
  challengeTimeoutMs?: number;
  /**
   * A ready link with no inbound frame for this long is pinged (default 5 s); every frame restarts the
   * wait, so a busy link is never pinged.
   */
  pingIntervalMs?: number;
  /** A ping unanswered (no pong, no frame) for this long closes the link 4000 and redials (default 5 s). */
  pongTimeoutMs?: number;
  /** [0, 1) like Math.random (the default); pinned by tests to get exact backoff numbers. */
  random?: () => number;
  /** Receives every ConnectionNotice by `sendTo` (the gateway machine, when there is one). */
  supervisor?: AnyActorRef;
  /** Open at once instead of waiting for `connection.open`. */
  autoOpen?: boolean;
}

/** The last close, as the machine understood it. */
export interface LastClose {
  code: number;
  reason: string;
  kind: CloseKind;
  /** The gateway announced a restart (`shutdown` with `restartExpectedMs`) before this close. */
  expected: boolean;
}

export interface ConnectionContext {
  url: string;
  key: string;
  policy: BackoffPolicy;
  challengeTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  random: () => number;
  supervisor: AnyActorRef | undefined;
  autoOpen: boolean;
  /** Bumped at the start of every socket session; signals of any other epoch are dropped. */
  epoch: number;
  /** Backoff steps taken since the last `hello-ok` (or since open/resume). */
  attempt: number;
  /** The last `hello-ok` seen (kept after a loss, so the next one can be compared). */
  hello: HelloSummary | undefined;
  lastClose: LastClose | undefined;
  /** The gateway's refusal of `connect` in this session. */
  lastRefusal: WireError | undefined;
  /** The last protocol error the socket actor reported in this session. */
  lastProtocolError: string | undefined;
  /** Why reconnecting stopped (the gateway's `details.code`), while paused. */
  pauseReason: string | undefined;
  /** The wait chosen when the current backoff began. */
  retryDelayMs: number | undefined;
  /** `restartExpectedMs` of a `shutdown` announced in this session. */
  expectedRestartMs: number | undefined;
  /** A `shutdown` with `restartExpectedMs` came first: the close that follows is expected. */
  closeExpected: boolean;
  /** What we asked the socket to close with when we gave up on it (watchdog, handshake deadline). */
  closeRequest: { code: number; reason: string } | undefined;
}

/** What a host (or the gateway machine) may tell the connection. */
export type ConnectionCommand =
  | { type: 'connection.open' }
  /** Stop: close the socket (by leaving the state that owns it) and stay closed. */
  | { type: 'connection.close' }
  /** Skip the rest of the backoff wait. */
  | { type: 'connection.reconnectNow' }
  /** Leave `paused` (after the host fixed credentials or approved pairing), with a fresh backoff. */
  | { type: 'connection.resume' }
  /**
   * The credential changed: a fresh socket now (the adapter reads the credential at each challenge). A
   * ready link is dropped (an expected loss), a handshake starts over, a wait or a pause ends.
   */
  | { type: 'connection.reconnect' };

export type ConnectionEvent = ConnectionCommand | SocketSignal;

/** The names a status reports; `closing` is the short wait for a socket we asked to close. */
export type ConnectionStateName = 'idle' | 'opening' | 'awaitingChallenge' | 'connecting' | 'ready' | 'closing' | 'backoff' | 'paused' | 'closed';

/** A plain, serializable view of the connection for hosts and the inspector. */
export interface ConnectionStatusView {
  state: ConnectionStateName;
  url: string;
  attempt: number;
  ready: boolean;
  pauseReason?: string;
  /** The wait chosen when the current backoff began (present only in `backoff`). */
  retryInMs?: number;
  lastClose?: LastClose;
  /** The gateway last seen by `hello-ok`. */
  server?: { version: string; bootId: string; connId: string };
}

/** What the connection machine tells the actor given as `input.supervisor` (and emits for the runtime). */
export type ConnectionNotice =
  | { type: 'connection.ready'; hello: HelloSummary }
  /** A ready connection was lost. `expected` when a `shutdown` with `restartExpectedMs` preceded it. */
  | { type: 'connection.lost'; code: number; reason: string; expected: boolean }
  /** Waiting `delayMs` before reconnect attempt `attempt` (1-based). */
  | { type: 'connection.retrying'; attempt: number; delayMs: number }
  /** Refused for a reason retrying cannot fix (auth, pairing, protocol version): no more attempts. */
  | { type: 'connection.paused'; reason: string; error?: WireError };
