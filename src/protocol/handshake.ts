// The `connect` handshake: the challenge the gateway sends first, the params we answer with, and the exact
// string a device identity signs. Pure data: signing itself happens in the adapter through `DeviceSigner`.
import { z } from 'zod';
import { MAX_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION } from './version.js';

/** Until hello-ok the gateway closes 1009 on any frame above this many bytes (openclaw-facts). */
export const PRE_AUTH_MAX_PAYLOAD_BYTES = 65_536;

/** The role every supervisor connection takes. */
export const OPERATOR_ROLE = 'operator';

/** Without explicit scopes the gateway grants none and most reads answer FORBIDDEN. */
export const DEFAULT_OPERATOR_SCOPES: readonly string[] = ['operator.admin'];

/**
 * Token-only clients: the gateway trusts `gateway-client`/`backend` on direct loopback with the shared
 * token and keeps its requested scopes without a device identity.
 */
export const BACKEND_CLIENT = { id: 'gateway-client', mode: 'backend' } as const;

/**
 * Device-identity clients: `cli`/`cli` is a client id and mode the gateway accepts, and unlike the backend
 * helper path it creates a pairing record, so loopback auto-approval issues `hello-ok.auth.deviceToken`.
 */
export const DEVICE_CLIENT = { id: 'cli', mode: 'cli' } as const;

/** `connect.challenge` payload: `ts` becomes `device.signedAt`, `nonce` is signed and echoed. */
export const ConnectChallengeSchema = z.looseObject({
  nonce: z.string().min(1),
  ts: z.number().int().min(0),
});
export type ConnectChallenge = z.infer<typeof ConnectChallengeSchema>;

/** What we send as `connect.params` (the gateway accepts more; these are the fields we use). */
export const ConnectParamsSchema = z.object({
  minProtocol: z.number().int(),
  maxProtocol: z.number().int(),
  client: z.object({
    id: z.string().min(1),
    version: z.string().min(1),
    platform: z.string().min(1),
    mode: z.string().min(1),
    deviceFamily: z.string().min(1).optional(),
    displayName: z.string().min(1).optional(),
    instanceId: z.string().min(1).optional(),
  }),
  role: z.string().min(1),
  scopes: z.array(z.string().min(1)),
  caps: z.array(z.string().min(1)),
  auth: z.object({ token: z.string().optional(), deviceToken: z.string().optional() }).optional(),
  device: z
    .object({
      id: z.string().min(1),
      publicKey: z.string().min(1),
      signature: z.string().min(1),
      signedAt: z.number().int().min(0),
      nonce: z.string().min(1),
    })
    .optional(),
});
export type ConnectParams = z.infer<typeof ConnectParamsSchema>;

/** Facts about this client that go into `connect.params.client`. */
export interface ConnectClientInfo {
  version: string;
  platform: string;
  deviceFamily?: string;
  displayName?: string;
  instanceId?: string;
}

/** A device identity able to sign; the private key stays behind `sign`. */
export interface DeviceSigner {
  /** Hex SHA-256 of the raw 32-byte Ed25519 public key. */
  readonly deviceId: string;
  /** Base64url (no padding) of the raw 32-byte public key. */
  readonly publicKey: string;
  /** Base64url Ed25519 signature of the UTF-8 `payload`. */
  sign(payload: string): string;
}

interface CommonConnectOptions {
  client: ConnectClientInfo;
  scopes?: readonly string[];
  caps?: readonly string[];
}

/** (a) Backend, token only: no device identity, no signature. */
export interface BackendConnectOptions extends CommonConnectOptions {
  token?: string;
  device?: undefined;
}

/** (b) Device identity: signs the challenge; a stored `deviceToken` takes precedence over `token`. */
export interface DeviceConnectOptions extends CommonConnectOptions {
  device: DeviceSigner;
  challenge: ConnectChallenge;
  token?: string;
  deviceToken?: string;
}

/** Builds `connect.params` for either auth path. */
export function buildConnectParams(options: BackendConnectOptions | DeviceConnectOptions): ConnectParams {
  const scopes = [...(options.scopes ?? DEFAULT_OPERATOR_SCOPES)];
  const caps = [...(options.caps ?? [])];
  if (options.device === undefined) {
    return {
      minProtocol: MIN_PROTOCOL_VERSION,
      maxProtocol: MAX_PROTOCOL_VERSION,
      client: clientField(options.client, BACKEND_CLIENT),
      role: OPERATOR_ROLE,
      scopes,
      caps,
      ...(options.token ? { auth: { token: options.token } } : {}),
    };
  }
  // Sending the device token alone is what makes the gateway authenticate by it (auth.method
  // "device-token"); with the shared token beside it, the gateway authenticates by the shared token.
  const auth = options.deviceToken ? { deviceToken: options.deviceToken } : options.token ? { token: options.token } : undefined;
  const signature = options.device.sign(
    buildDeviceAuthPayload({
      deviceId: options.device.deviceId,
      clientId: DEVICE_CLIENT.id,
      clientMode: DEVICE_CLIENT.mode,
      role: OPERATOR_ROLE,
      scopes,
      signedAtMs: options.challenge.ts,
      token: options.deviceToken ?? options.token,
      nonce: options.challenge.nonce,
      platform: options.client.platform,
      deviceFamily: options.client.deviceFamily,
    }),
  );
  return {
    minProtocol: MIN_PROTOCOL_VERSION,
    maxProtocol: MAX_PROTOCOL_VERSION,
    client: clientField(options.client, DEVICE_CLIENT),
    role: OPERATOR_ROLE,
    scopes,
    caps,
    ...(auth ? { auth } : {}),
    device: {
      id: options.device.deviceId,
      publicKey: options.device.publicKey,
      signature,
      signedAt: options.challenge.ts,
      nonce: options.challenge.nonce,
    },
  };
}

export interface DeviceAuthPayloadFields {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** The token carried in `connect.params.auth` (device token or shared token); empty when none. */
  token?: string | undefined;
  nonce: string;
  platform?: string | undefined;
  deviceFamily?: string | undefined;
}

/**
 * The v3 string a device signs:
 * `v3|deviceId|clientId|clientMode|role|scopes,joined|signedAt|token|nonce|platform|deviceFamily`,
 * platform and deviceFamily trimmed and ASCII-lower-cased (the gateway normalizes them the same way).
 */
export function buildDeviceAuthPayload(fields: DeviceAuthPayloadFields): string {
  return [
    'v3',
    fields.deviceId,
    fields.clientId,
    fields.clientMode,
    fields.role,
    fields.scopes.join(','),
    String(fields.signedAtMs),
    fields.token ?? '',
    fields.nonce,
    normalizeDeviceMetadata(fields.platform),
    normalizeDeviceMetadata(fields.deviceFamily),
  ].join('|');
}

/** Trim, then lower-case A-Z only: locale-aware lower-casing would change non-ASCII bytes the gateway keeps. */
export function normalizeDeviceMetadata(value: string | undefined): string {
  if (value === undefined) return '';
  return value.trim().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

function clientField(info: ConnectClientInfo, kind: { readonly id: string; readonly mode: string }): ConnectParams['client'] {
  return {
    id: kind.id,
    version: info.version,
    platform: info.platform,
    mode: kind.mode,
    ...(info.deviceFamily ? { deviceFamily: info.deviceFamily } : {}),
    ...(info.displayName ? { displayName: info.displayName } : {}),
    ...(info.instanceId ? { instanceId: info.instanceId } : {}),
  };
}
