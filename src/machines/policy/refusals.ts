// What a refused `connect` means for the next attempt. Decided on the gateway's structured codes
// (`error.details.code`, then `error.code`), never on message wording, which changes between releases.
import type { WireError } from '../../protocol/index.js';

/**
 * - `pause`: retrying cannot fix it (credentials, pairing, signing, protocol version): stop and wait for
 *   the host; `reason` is the gateway's code so a UI can say what to fix.
 * - `retry-after`: the gateway said when to come back (startup sidecars still loading): wait exactly
 *   that long, and do not count it as a failure.
 * - `retry`: anything else; reconnect with the growing backoff.
 */
export type RefusalDecision = { kind: 'pause'; reason: string } | { kind: 'retry-after'; retryAfterMs: number } | { kind: 'retry' };

/**
 * Codes that pause reconnecting, besides every `AUTH_*` and `DEVICE_AUTH_*` code. Taken from the gateway's
 * `ConnectErrorDetailCodes` (@openclaw/gateway-protocol) and the reference client's reconnect policy,
 * which pauses on the same family instead of retrying forever.
 */
export const PAUSING_REFUSAL_CODES: ReadonlySet<string> = new Set([
  // No identity, or an identity the gateway does not know yet: an operator must pair or approve it.
  'NOT_PAIRED',
  'PAIRING_REQUIRED',
  'DEVICE_IDENTITY_REQUIRED',
  'CONTROL_UI_DEVICE_IDENTITY_REQUIRED',
  // Version and build mismatches: the same client will be refused the same way.
  'PROTOCOL_MISMATCH',
  'CLIENT_VERSION_MISMATCH',
  'CONTROL_UI_BUILD_MISMATCH',
  // Configuration on the gateway side.
  'CONTROL_UI_ORIGIN_NOT_ALLOWED',
]);

/**
 * Auth codes the next attempt does not repeat: a refused stored device token is deleted by the socket
 * adapter, which then falls back to the shared token, so one more (backed-off) attempt is worth it.
 */
const ADAPTER_RECOVERS: ReadonlySet<string> = new Set(['AUTH_DEVICE_TOKEN_MISMATCH']);

/** Prefixes of pausing families. `AUTHENTICATED_PROFILE_UNAVAILABLE` does not match `AUTH_` on purpose. */
const PAUSING_PREFIXES = ['AUTH_', 'DEVICE_AUTH_'] as const;

/** Classifies a `connect` refusal. */
export function classifyRefusal(error: WireError): RefusalDecision {
  const detailCode = readDetailCode(error.details);
  const pauseCode = [detailCode, error.code].find((code) => code !== undefined && isPausingCode(code));
  if (pauseCode !== undefined && !pairingSaysKeepTrying(pauseCode, error.details) && !ADAPTER_RECOVERS.has(pauseCode)) {
    return { kind: 'pause', reason: pauseCode };
  }
  const retryAfterMs = error.retryAfterMs;
  const usableRetryAfter = typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0;
  if (usableRetryAfter && error.retryable !== false) return { kind: 'retry-after', retryAfterMs };
  return { kind: 'retry' };
}

/** The most specific code of a refusal: `details.code` when the gateway gave one, else `error.code`. */
export function refusalCode(error: WireError): string {
  return readDetailCode(error.details) ?? error.code;
}

function isPausingCode(code: string): boolean {
  return PAUSING_REFUSAL_CODES.has(code) || PAUSING_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/**
 * A setup-code bootstrap waiting for approval answers PAIRING_REQUIRED with `pauseReconnect: false` or
 * `recommendedNextStep: "wait_then_retry"` (docs/gateway/protocol/auth.md): keep reconnecting then.
 */
function pairingSaysKeepTrying(code: string, details: unknown): boolean {
  if (code !== 'PAIRING_REQUIRED' || !isRecord(details)) return false;
  return details['pauseReconnect'] === false || details['recommendedNextStep'] === 'wait_then_retry';
}

function readDetailCode(details: unknown): string | undefined {
  if (!isRecord(details)) return undefined;
  const code = details['code'];
  if (typeof code !== 'string') return undefined;
  const trimmed = code.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
