import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEphemeralDeviceIdentity, deriveDeviceId, loadOrCreateDeviceIdentity } from '../../src/adapters/websocket/index.js';
import { ErrorCodes } from '../../src/errors.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ocs-identity-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const publicKeyOf = (base64url: string) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' });

describe('device identity', () => {
  it('creates the file with mode 0600 inside a new directory with mode 0700', () => {
    const path = join(root, 'state', 'identity', 'device.json');
    loadOrCreateDeviceIdentity(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'state', 'identity')).mode & 0o777).toBe(0o700);
  });

  it('derives deviceId as hex SHA-256 of the raw 32-byte public key, published as unpadded base64url', () => {
    const identity = loadOrCreateDeviceIdentity(join(root, 'device.json'));
    expect(identity.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(identity.publicKey, 'base64url')).toHaveLength(32);
    expect(identity.deviceId).toBe(deriveDeviceId(identity.publicKey));
    expect(identity.deviceId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs payloads that verify against its public key with node:crypto', () => {
    const identity = loadOrCreateDeviceIdentity(join(root, 'device.json'));
    const payload = 'v3|id|cli|cli|operator|operator.admin|1|tok|nonce|linux|';
    const signature = identity.sign(payload);
    expect(verify(null, Buffer.from(payload), publicKeyOf(identity.publicKey), Buffer.from(signature, 'base64url'))).toBe(true);
    expect(verify(null, Buffer.from(`${payload}x`), publicKeyOf(identity.publicKey), Buffer.from(signature, 'base64url'))).toBe(false);
  });

  it('reuses the same key pair on the next load', () => {
    const path = join(root, 'device.json');
    const first = loadOrCreateDeviceIdentity(path);
    const second = loadOrCreateDeviceIdentity(path);
    expect(second.deviceId).toBe(first.deviceId);
    const signature = second.sign('hello');
    expect(verify(null, Buffer.from('hello'), publicKeyOf(first.publicKey), Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('persists the issued device token (still 0600) so a later load offers it, and can forget it', () => {
    const path = join(root, 'device.json');
    const identity = loadOrCreateDeviceIdentity(path);
    expect(identity.deviceToken).toBeUndefined();
    identity.saveDeviceToken('issued-token-1', { role: 'operator', scopes: ['operator.admin'] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const reloaded = loadOrCreateDeviceIdentity(path);
    expect(reloaded.deviceToken).toBe('issued-token-1');
    expect(reloaded.deviceId).toBe(identity.deviceId);
    reloaded.forgetDeviceToken();
    expect(loadOrCreateDeviceIdentity(path).deviceToken).toBeUndefined();
  });

  it('never shows the private key or device token when logged or serialized', () => {
    const path = join(root, 'device.json');
    const identity = loadOrCreateDeviceIdentity(path);
    identity.saveDeviceToken('issued-token-secret', { role: 'operator', scopes: [] });
    const pem = (JSON.parse(readFileSync(path, 'utf8')) as { privateKeyPem: string }).privateKeyPem;
    const keyBody = pem.split('\n')[1]!;
    for (const shown of [JSON.stringify(identity), inspect(identity, { depth: 5 }), JSON.stringify({ identity })]) {
      expect(shown).toContain(identity.deviceId);
      expect(shown).not.toContain(keyBody);
      expect(shown).not.toContain('issued-token-secret');
    }
  });

  it('tightens a file left readable by others back to 0600', () => {
    const path = join(root, 'device.json');
    loadOrCreateDeviceIdentity(path);
    chmodSync(path, 0o644);
    loadOrCreateDeviceIdentity(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt or tampered file with a ConfigError naming device.identityPath, without leaking the key', () => {
    const path = join(root, 'device.json');
    writeFileSync(path, 'not json', { mode: 0o600 });
    expect(() => loadOrCreateDeviceIdentity(path)).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID, field: 'device.identityPath' }),
    );

    rmSync(path);
    loadOrCreateDeviceIdentity(path);
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const other = loadOrCreateDeviceIdentity(join(root, 'other.json'));
    writeFileSync(path, JSON.stringify({ ...file, publicKey: other.publicKey, deviceId: other.deviceId }), { mode: 0o600 });
    let message = '';
    try {
      loadOrCreateDeviceIdentity(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('device.identityPath');
    expect(message).not.toContain(String(file.privateKeyPem).split('\n')[1]);
  });

  it('an in-memory identity signs verifiably, keeps its device token in memory only, and shows its public half only', () => {
    const identity = createEphemeralDeviceIdentity();
    const other = createEphemeralDeviceIdentity();
    expect(identity.deviceId).toBe(deriveDeviceId(identity.publicKey));
    expect(other.deviceId).not.toBe(identity.deviceId);
    const signature = identity.sign('payload');
    expect(verify(null, Buffer.from('payload'), publicKeyOf(identity.publicKey), Buffer.from(signature, 'base64url'))).toBe(true);
    identity.saveDeviceToken('device-token-secret', { role: 'operator', scopes: ['operator.admin'] });
    expect(identity.deviceToken).toBe('device-token-secret');
    expect(JSON.stringify(identity)).not.toContain('device-token-secret');
    expect(inspect(identity)).not.toContain('device-token-secret');
    expect(inspect(identity)).not.toContain('PRIVATE');
    identity.forgetDeviceToken();
    expect(identity.deviceToken).toBeUndefined();
  });
});
