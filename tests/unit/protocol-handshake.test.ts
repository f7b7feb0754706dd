import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_CLIENT,
  ConnectParamsSchema,
  DEVICE_CLIENT,
  buildConnectParams,
  buildDeviceAuthPayload,
  normalizeDeviceMetadata,
  type DeviceSigner,
} from '../../src/protocol/index.js';

const client = { version: '0.1.0', platform: 'Linux ' };

function testSigner(): DeviceSigner & { verifies(payload: string, signature: string): boolean } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    deviceId: 'd'.repeat(64),
    publicKey: String(publicKey.export({ format: 'jwk' }).x),
    sign: (payload) => sign(null, Buffer.from(payload), privateKey).toString('base64url'),
    verifies: (payload, signature) => verify(null, Buffer.from(payload), publicKey, Buffer.from(signature, 'base64url')),
  };
}

describe('buildDeviceAuthPayload', () => {
  it('produces the exact v3 string the gateway verifies', () => {
    const text = buildDeviceAuthPayload({
      deviceId: 'abc123',
      clientId: 'cli',
      clientMode: 'cli',
      role: 'operator',
      scopes: ['operator.admin', 'operator.read'],
      signedAtMs: 1737264000000,
      token: 'tok',
      nonce: 'n-1',
      platform: '  Linux ',
      deviceFamily: 'Desktop',
    });
    expect(text).toBe('v3|abc123|cli|cli|operator|operator.admin,operator.read|1737264000000|tok|n-1|linux|desktop');
  });

  it('leaves token, platform and device family empty when absent', () => {
    const text = buildDeviceAuthPayload({
      deviceId: 'id',
      clientId: 'cli',
      clientMode: 'cli',
      role: 'operator',
      scopes: [],
      signedAtMs: 0,
      nonce: 'n',
    });
    expect(text).toBe('v3|id|cli|cli|operator||0||n||');
  });

  it('lower-cases ASCII only, as the gateway does', () => {
    expect(normalizeDeviceMetadata(' MacOS ')).toBe('macos');
    expect(normalizeDeviceMetadata('ÉCRAN')).toBe('Écran');
    expect(normalizeDeviceMetadata(undefined)).toBe('');
  });
});

describe('buildConnectParams, backend token path', () => {
  it('asks as gateway-client/backend with the shared token and admin scope by default', () => {
    const params = buildConnectParams({ client, token: 'T' });
    expect(params).toEqual({
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: BACKEND_CLIENT.id, version: '0.1.0', platform: 'Linux ', mode: BACKEND_CLIENT.mode },
      role: 'operator',
      scopes: ['operator.admin'],
      caps: [],
      auth: { token: 'T' },
    });
    expect(ConnectParamsSchema.safeParse(params).success).toBe(true);
  });

  it('passes explicit scopes and caps, and sends no auth without a token', () => {
    const params = buildConnectParams({ client, scopes: ['operator.read'], caps: ['tool-events'] });
    expect(params.scopes).toEqual(['operator.read']);
    expect(params.caps).toEqual(['tool-events']);
    expect(params.auth).toBeUndefined();
    expect(params.device).toBeUndefined();
  });
});

describe('buildConnectParams, device identity path', () => {
  const challenge = { nonce: 'nonce-1', ts: 1_800_000_000_000 };

  it('signs the v3 payload over the challenge with the shared token when no device token is stored', () => {
    const signer = testSigner();
    const params = buildConnectParams({ client, device: signer, challenge, token: 'T' });
    expect(params.client).toMatchObject({ id: DEVICE_CLIENT.id, mode: DEVICE_CLIENT.mode });
    expect(params.auth).toEqual({ token: 'T' });
    expect(params.device).toMatchObject({ id: signer.deviceId, publicKey: signer.publicKey, signedAt: challenge.ts, nonce: 'nonce-1' });
    const expected = `v3|${signer.deviceId}|cli|cli|operator|operator.admin|${challenge.ts}|T|nonce-1|linux|`;
    expect(signer.verifies(expected, params.device!.signature)).toBe(true);
  });

  it('authenticates by the device token alone when one is stored, and signs over it', () => {
    const signer = testSigner();
    const params = buildConnectParams({ client, device: signer, challenge, token: 'T', deviceToken: 'DT' });
    expect(params.auth).toEqual({ deviceToken: 'DT' });
    const expected = `v3|${signer.deviceId}|cli|cli|operator|operator.admin|${challenge.ts}|DT|nonce-1|linux|`;
    expect(signer.verifies(expected, params.device!.signature)).toBe(true);
    expect(ConnectParamsSchema.safeParse(params).success).toBe(true);
  });
});
