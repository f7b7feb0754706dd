// The typed errors a host can branch on. Every error carries a stable `code`, whether retrying the same
// thing may succeed (`retryable`), and structured `details`. Messages name the field, method or phase and
// what was expected; they never contain a token, key or device token (build them from names, not values).

/** Codes raised by the supervisor itself (the gateway's own codes arrive on GatewayRequestError). */
export const ErrorCodes = {
  /** An option or argument failed validation; `details.field` names it. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A request got no response within its deadline. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The socket closed while a request was in flight; the request may or may not have run. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The connection is paused (auth, pairing, protocol refusal) and will not reconnect by itself. */
  CONNECTION_PAUSED: 'CONNECTION_PAUSED',
  /** The supervisor was stopped; pending and new requests settle with this. */
  STOPPED: 'STOPPED',
  /** A frame broke the protocol (malformed JSON, unknown type, missing hello-ok fields). */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** A request frame exceeded the gateway's `policy.maxPayload`. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The gateway refused `connect` (auth, pairing, version); `details.code` is the gateway's reason. */
  HANDSHAKE_REFUSED: 'HANDSHAKE_REFUSED',
  /** The port is held by something that is not an OpenClaw gateway. */
  PORT_IN_USE: 'PORT_IN_USE',
  /** Asking who holds the port failed (not a refusal, not an answer). */
  PORT_PROBE_FAILED: 'PORT_PROBE_FAILED',
  /** The spawned gateway never accepted a TCP connection. */
  GATEWAY_NOT_LISTENING: 'GATEWAY_NOT_LISTENING',
  /** No Node >= 24.16 runtime was given or found for the gateway child. */
  RUNTIME_NOT_FOUND: 'RUNTIME_NOT_FOUND',
  /** The `openclaw` package could not be resolved. */
  OPENCLAW_NOT_FOUND: 'OPENCLAW_NOT_FOUND',
  /** `install-runtime` could not install the gateway runtime (npm failed, or no Node 24 for this platform). */
  RUNTIME_INSTALL_FAILED: 'RUNTIME_INSTALL_FAILED',
  /** The child could not be spawned at all. */
  SPAWN_FAILED: 'SPAWN_FAILED',
  /** The owned gateway kept exiting; `details` carries exit code or signal and the last stderr lines. */
  GATEWAY_CRASHED: 'GATEWAY_CRASHED',
  /** The gateway exited 78 (EX_CONFIG) again after one doctor repair. */
  GATEWAY_CONFIG_INVALID: 'GATEWAY_CONFIG_INVALID',
  /** start() was superseded by a stop() or a newer start(). */
  START_SUPERSEDED: 'START_SUPERSEDED',
  /** A restart or reload did not complete (attach mode: no new bootId in time). */
  REFRESH_FAILED: 'REFRESH_FAILED',
  /** A fleet client's HTTP call failed: 401, a non-JSON or unexpected answer, no answer; `details.reason` says which. */
  FLEET_HTTP_FAILED: 'FLEET_HTTP_FAILED',
  /** The fleet store cannot be used: not a database, read-only, or an I/O failure; `details.reason` says which. */
  STORE_FAILED: 'STORE_FAILED',
  /** No `hello-ok` from the gateway within the deadline (a pool's acquire): down, filtered or too slow. */
  GATEWAY_UNREACHABLE: 'GATEWAY_UNREACHABLE',
  /** A channel manager call named a channel id no plugin (or mirrored gateway) has; `details.channelId`. */
  CHANNEL_UNKNOWN: 'CHANNEL_UNKNOWN',
  /** A channel manager call named an account id the channel does not list; `details.accountId`. */
  ACCOUNT_UNKNOWN: 'ACCOUNT_UNKNOWN',
  /** A plugin's `resolveAccount` (or `isConfigured`) threw while an account was starting; `details` names it. */
  ACCOUNT_RESOLVE_FAILED: 'ACCOUNT_RESOLVE_FAILED',
  /** The channel manager was closed; later calls settle with this. */
  CHANNELS_CLOSED: 'CHANNELS_CLOSED',
  /** A clustered pool's Redis did not answer: refused, unresolvable, timed out, or the link is down. Retryable. */
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  /** A clustered pool's Redis refused the credential (WRONGPASS, NOAUTH). Not retryable until the host fixes it. */
  REDIS_AUTH_FAILED: 'REDIS_AUTH_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SupervisorErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
  cause?: unknown;
}

export class SupervisorError extends Error {
  override readonly name: string = 'SupervisorError';
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: SupervisorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: this.details,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
    };
  }
}

/** Bad input: names the field (dotted path) and what was expected. */
export class ConfigError extends SupervisorError {
  override readonly name = 'ConfigError';
  readonly issues: ReadonlyArray<{ field: string; expected: string }>;

  constructor(issues: ReadonlyArray<{ field: string; expected: string }>, context = 'options') {
    const text = issues.map((i) => `${i.field}: ${i.expected}`).join('; ');
    super(ErrorCodes.CONFIG_INVALID, `invalid ${context}: ${text}`, {
      details: { issues, field: issues[0]?.field },
    });
    this.issues = issues;
  }

  get field(): string | undefined {
    return this.issues[0]?.field;
  }
}

/** The gateway answered a request with `ok: false`; `code` is the gateway's (`FORBIDDEN`, `UNAVAILABLE`, ...). */
export class GatewayRequestError extends SupervisorError {
  override readonly name = 'GatewayRequestError';
  readonly method: string;

  constructor(method: string, shape: { code: string; message: string; details?: unknown; retryable?: boolean; retryAfterMs?: number }) {
    super(shape.code, `${method}: ${shape.message}`, {
      retryable: shape.retryable ?? false,
      details: isRecord(shape.details) ? shape.details : shape.details === undefined ? {} : { value: shape.details },
      ...(shape.retryAfterMs === undefined ? {} : { retryAfterMs: shape.retryAfterMs }),
    });
    this.method = method;
  }
}

export function isSupervisorError(value: unknown): value is SupervisorError {
  return value instanceof SupervisorError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
