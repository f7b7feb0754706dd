// A device identity on disk: an Ed25519 key pair plus the device token the gateway issued for it, in one
// JSON file (mode 0600, parent directory 0700 when we create it). The private key never leaves this module:
// callers get `sign()`, and the object serializes and inspects as its public half only.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import type { DeviceSigner } from '../../protocol/index.js';

export interface DeviceIdentity extends DeviceSigner {
  /** Where the identity lives. */
  readonly path: string;
  /** The device token stored from an earlier hello-ok, if any. */
  readonly deviceToken: string | undefined;
  /** Persists a device token issued in `hello-ok.auth.deviceToken` (no-op when it is already stored). */
  saveDeviceToken(token: string, grant: { role: string; scopes: readonly string[] }): void;
  /** Drops a device token the gateway no longer accepts, so the next connect uses the shared token. */
  forgetDeviceToken(): void;
}

/** The field named in errors, matching the `device.identityPath` option. */
const FIELD = 'device.identityPath';

const IdentityFileSchema = z.object({
  version: z.literal(1),
  deviceId: z.string().regex(/^[0-9a-f]{64}$/),
  publicKey: z.string().min(1),
  privateKeyPem: z.string().min(1),
  createdAtMs: z.number(),
  deviceToken: z.object({ token: z.string().min(1), role: z.string(), scopes: z.array(z.string()), savedAtMs: z.number() }).optional(),
});
type IdentityFile = z.infer<typeof IdentityFileSchema>;

/**
 * Loads the identity at `path`, or creates one there. Creation is create-if-absent (hard link of a
 * finished temp file), so two processes racing on one path end up sharing the first identity written.
 */
export function loadOrCreateDeviceIdentity(path: string): DeviceIdentity {
  let file = readIdentityFile(path);
  if (file === undefined) {
    createIdentityFile(path);
    file = readIdentityFile(path);
    if (file === undefined) throw invalid(path, 'a device identity file that can be created');
  }
  return toIdentity(path, file);
}

/** Hex SHA-256 of the raw 32-byte public key: the id the gateway recomputes and compares. */
export function deriveDeviceId(publicKeyBase64Url: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64Url, 'base64url')).digest('hex');
}

function toIdentity(path: string, initial: IdentityFile): DeviceIdentity {
  let file = initial;
  const privateKey = parsePrivateKey(path, file);
  const identity: DeviceIdentity = {
    path,
    deviceId: file.deviceId,
    publicKey: file.publicKey,
    get deviceToken() {
      return file.deviceToken?.token;
    },
    sign(payload: string): string {
      return sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url');
    },
    saveDeviceToken(token, grant) {
      if (file.deviceToken?.token === token) return;
      file = { ...file, deviceToken: { token, role: grant.role, scopes: [...grant.scopes], savedAtMs: Date.now() } };
      replaceFile(path, file);
    },
    forgetDeviceToken() {
      if (file.deviceToken === undefined) return;
      const { deviceToken: _dropped, ...rest } = file;
      file = rest;
      replaceFile(path, file);
    },
  };
  // Logging the object must never print a secret: show the public half only.
  const publicView = () => ({ path, deviceId: file.deviceId, publicKey: file.publicKey });
  Object.defineProperty(identity, 'toJSON', { value: publicView, enumerable: false });
  Object.defineProperty(identity, inspect.custom, { value: () => `DeviceIdentity ${inspect(publicView())}` });
  return identity;
}

function readIdentityFile(path: string): IdentityFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(path, `a readable device identity file (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(path, 'a device identity file holding JSON');
  }
  const parsed = IdentityFileSchema.safeParse(json);
  if (!parsed.success) throw invalid(path, 'a device identity file with version, deviceId, publicKey and privateKeyPem');
  // A file copied around with default permissions would expose the key; tighten it rather than refuse.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parsed.data;
}

function parsePrivateKey(path: string, file: IdentityFile): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(file.privateKeyPem);
  } catch {
    throw invalid(path, 'a device identity file whose privateKeyPem is a PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw invalid(path, 'an Ed25519 device key');
  const publicKey = rawPublicKey(createPublicKey(key));
  if (publicKey !== file.publicKey || deriveDeviceId(publicKey) !== file.deviceId) {
    throw invalid(path, 'a device identity whose deviceId and publicKey match its private key');
  }
  return key;
}

function createIdentityFile(path: string): void {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const file: IdentityFile = {
    version: 1,
    deviceId: deriveDeviceId(raw),
    publicKey: raw,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    createdAtMs: Date.now(),
  };
  ensurePrivateDir(path);
  const temp = writeTemp(path, file);
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw invalid(path, 'a writable location for the device identity');
  } finally {
    unlinkSync(temp);
  }
}

function replaceFile(path: string, file: IdentityFile): void {
  const temp = writeTemp(path, file);
  renameSync(temp, path);
}

function writeTemp(path: string, file: IdentityFile): string {
  const temp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return temp;
}

function ensurePrivateDir(path: string): void {
  const dir = dirname(path);
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is masked by the umask; set it explicitly on the directory we made. An existing
  // directory belongs to the host and is left as it is.
  if (created !== undefined) chmodSync(dir, 0o700);
}

/** Base64url (no padding) of the raw 32-byte key: exactly the JWK `x` member. */
function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('Ed25519 public key has no x coordinate');
  return jwk.x;
}

function invalid(path: string, expected: string): ConfigError {
  return new ConfigError([{ field: FIELD, expected: `${expected} at ${path}` }], 'device identity');
}
