// What a WebSocket close means, and what the connection does next. A close code alone rarely decides:
// the gateway says *why* in the `connect` refusal or the `shutdown` event that came before the close,
// so the decision reads those first and the code describes what happened.
import type { WireError } from '../../protocol/index.js';
import { classifyRefusal } from './refusals.js';

/** Close codes with a meaning for us (RFC 6455 section 7.4.1, the IANA registry, and our own). */
export const CloseCodes = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reserved: the close frame carried no code. */
  NO_STATUS: 1005,
  /** Reserved: no close frame at all (TCP reset, process killed, never connected). */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  /** The gateway's answer to a refused `connect` (auth, pairing) and to frames it does not accept. */
  POLICY_VIOLATION: 1008,
  /** A pre-auth frame over 64 KiB, or a frame over `policy.maxPayload`. */
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  /** The gateway is stopping or restarting (after a `shutdown` event). */
  SERVICE_RESTART: 1012,
  /** "gateway starting": startup sidecars are still loading. */
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  /** Reserved: TLS handshake failed. */
  TLS_HANDSHAKE: 1015,
  /** Ours, as in the reference client: the gateway went silent (no tick for two intervals, or no hello). */
  CLIENT_TIMEOUT: 4000,
} as const;

/**
 * - `normal`: a clean close (1000, 1001, 1005); the gateway closes 1000 on malformed JSON and after 15 s
 *   without `connect`.
 * - `abnormal`: no close frame (1006, 1015): killed, reset, or never reached.
 * - `protocol-error`: 1002, 1003, 1007, 1010; 1002 follows a PROTOCOL_MISMATCH refusal.
 * - `policy`: 1008; the refusal before it says why.
 * - `too-big`: 1009.
 * - `server-error`: 1011, 1014.
 * - `service-restart`: 1012.
 * - `try-again-later`: 1013.
 * - `client-timeout`: 4000, closed by our own watchdog.
 * - `application`: another 3000-4999 code.
 * - `unknown`: anything else.
 */
export type CloseKind =
  | 'normal'
  | 'abnormal'
  | 'protocol-error'
  | 'policy'
  | 'too-big'
  | 'server-error'
  | 'service-restart'
  | 'try-again-later'
  | 'client-timeout'
  | 'application'
  | 'unknown';

/** Classifies a close code. */
export function classifyCloseCode(code: number): CloseKind {
  switch (code) {
    case CloseCodes.NORMAL:
    case CloseCodes.GOING_AWAY:
    case CloseCodes.NO_STATUS:
      return 'normal';
    case CloseCodes.ABNORMAL:
    case CloseCodes.TLS_HANDSHAKE:
      return 'abnormal';
    case CloseCodes.PROTOCOL_ERROR:
    case CloseCodes.UNSUPPORTED_DATA:
    case CloseCodes.INVALID_PAYLOAD:
    case CloseCodes.MANDATORY_EXTENSION:
      return 'protocol-error';
    case CloseCodes.POLICY_VIOLATION:
      return 'policy';
    case CloseCodes.MESSAGE_TOO_BIG:
      return 'too-big';
    case CloseCodes.INTERNAL_ERROR:
    case CloseCodes.BAD_GATEWAY:
      return 'server-error';
    case CloseCodes.SERVICE_RESTART:
      return 'service-restart';
    case CloseCodes.TRY_AGAIN_LATER:
      return 'try-again-later';
    case CloseCodes.CLIENT_TIMEOUT:
      return 'client-timeout';
    default:
      return Number.isInteger(code) && code >= 3000 && code <= 4999 ? 'application' : 'unknown';
  }
}

/**
 * - `pause`: stop reconnecting until the host resumes; `reason` is the gateway's code.
 * - `wait`: reconnect after exactly `delayMs` without growing the backoff, because the gateway said when
 *   (`retry-after`) or announced a restart (`restart-expected`).
 * - `backoff`: reconnect after the next, growing backoff step.
 */
export type ReconnectDecision =
  { action: 'pause'; reason: string } | { action: 'wait'; delayMs: number; cause: 'retry-after' | 'restart-expected' } | { action: 'backoff' };

export interface CloseFacts {
  /** The close code the socket reported. */
  code: number;
  /** The gateway's refusal of `connect` on this socket, if it refused. */
  refusal?: WireError | undefined;
  /** `restartExpectedMs` of a `shutdown` event on this socket, if the gateway announced a restart. */
  restartExpectedMs?: number | undefined;
}

/**
 * What to do after a socket closed. The refusal wins (a wrong token closes 1008, a protocol mismatch
 * 1002, startup sidecars 1013: the code is a consequence). An announced restart comes next: whatever
 * the code (1012 normally, 1006 if the restart went hard), the gateway said it will be back. Without
 * either, every code backs off: even 1008 or 1009 without a refusal is a frame we sent, and a capped,
 * growing wait is the right answer to a bug that may be fixed by the next build of the adapter.
 */
export function decideReconnect(facts: CloseFacts): ReconnectDecision {
  if (facts.refusal !== undefined) {
    const refusal = classifyRefusal(facts.refusal);
    if (refusal.kind === 'pause') return { action: 'pause', reason: refusal.reason };
    if (refusal.kind === 'retry-after') return { action: 'wait', delayMs: refusal.retryAfterMs, cause: 'retry-after' };
  }
  const restartMs = facts.restartExpectedMs;
  if (restartMs !== undefined && Number.isFinite(restartMs) && restartMs >= 0) {
    return { action: 'wait', delayMs: restartMs, cause: 'restart-expected' };
  }
  return { action: 'backoff' };
}
