// Turns the credentials of the moment and a challenge into `connect.params`, choosing the auth path:
// a device identity signs (and its stored device token is preferred), otherwise the backend token path.
import { buildConnectParams, type ConnectChallenge, type ConnectParams, type HelloOk, type WireError } from '../../protocol/index.js';
import type { GatewaySocketDeps } from './gateway-socket.js';
import type { DeviceIdentity } from './device-identity.js';

export interface SocketCredentials {
  /** The gateway's shared token. */
  token?: string;
  /** Signs the challenge; the device token it stored from an earlier hello-ok is used when present. */
  deviceIdentity?: DeviceIdentity;
  /** An explicit device token, preferred over the identity's stored one. */
  deviceToken?: string;
}

export interface ConnectFrameParts {
  params: ConnectParams;
  credentials: SocketCredentials;
  identity: DeviceIdentity | undefined;
  /** True when the identity's stored token (not an explicit one) authenticated this attempt. */
  usedStoredDeviceToken: boolean;
}

export function buildConnectFrame(
  deps: Pick<GatewaySocketDeps, 'credentials' | 'client' | 'scopes' | 'caps'>,
  challenge: ConnectChallenge,
): ConnectFrameParts {
  const credentials = deps.credentials();
  const identity = credentials.deviceIdentity;
  const common = {
    client: deps.client,
    ...(deps.scopes === undefined ? {} : { scopes: deps.scopes }),
    ...(deps.caps === undefined ? {} : { caps: deps.caps }),
  };
  if (identity === undefined) {
    return {
      params: buildConnectParams({ ...common, ...(credentials.token ? { token: credentials.token } : {}) }),
      credentials,
      identity,
      usedStoredDeviceToken: false,
    };
  }
  const deviceToken = credentials.deviceToken ?? identity.deviceToken;
  return {
    params: buildConnectParams({
      ...common,
      device: identity,
      challenge,
      ...(credentials.token ? { token: credentials.token } : {}),
      ...(deviceToken ? { deviceToken } : {}),
    }),
    credentials,
    identity,
    usedStoredDeviceToken: credentials.deviceToken === undefined && deviceToken !== undefined,
  };
}

/** Persists a device token issued in hello-ok for the identity that signed this connect. */
export function storeIssuedDeviceToken(parts: ConnectFrameParts, hello: HelloOk): void {
  const issued = hello.auth.deviceToken;
  const identity = parts.identity;
  if (issued === undefined || identity === undefined || identity.deviceToken === issued) return;
  identity.saveDeviceToken(issued, { role: hello.auth.role, scopes: hello.auth.scopes });
}

/**
 * A stored device token the gateway no longer knows (its state was wiped) would be refused forever;
 * forgetting it lets the next attempt authenticate with the shared token and be issued a fresh one.
 */
export function forgetRejectedDeviceToken(parts: ConnectFrameParts, error: WireError): void {
  if (!parts.usedStoredDeviceToken || parts.identity === undefined) return;
  const details = error.details;
  const code = typeof details === 'object' && details !== null ? (details as { code?: unknown }).code : undefined;
  if (code === 'AUTH_DEVICE_TOKEN_MISMATCH') parts.identity.forgetDeviceToken();
}

/** The refusal as the machine sees it: the wire error's own fields, nothing the frame added. */
export function toWireError(error: WireError): WireError {
  return {
    code: error.code,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}
