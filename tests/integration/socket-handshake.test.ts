import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify, createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity, type GatewaySocketDeps, type RpcChannel } from '../../src/adapters/websocket/index.js';
import { buildDeviceAuthPayload } from '../../src/protocol/index.js';
import { runSocketActor, startFakeGateway, type FakeGateway, type SocketActorHarness, socketLogic } from '../support/fake-gateway.js';
import { socketDeps } from '../support/socket-deps.js';
import { testRpcChannel } from '../support/rpc-channel.js';

const TOKEN = 'fake-gateway-token-1234';
let gateway: FakeGateway | undefined;
let harness: SocketActorHarness | undefined;
let rpc: RpcChannel;
let dir: string;

beforeEach(() => {
  rpc = testRpcChannel({ defaultTimeoutMs: 5_000 });
  dir = mkdtempSync(join(tmpdir(), 'ocs-socket-'));
});
afterEach(async () => {
  harness?.stop();
  harness = undefined;
  await gateway?.close();
  gateway = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const deps = (url: string, overrides: Partial<GatewaySocketDeps> = {}): GatewaySocketDeps => socketDeps(url, TOKEN, rpc, overrides);

describe('gatewaySocket handshake against the fake gateway', () => {
  it('answers the challenge as a backend client, reaches hello and carries requests', async () => {
    gateway = await startFakeGateway({ onRequest: (f) => ({ ok: true, payload: { ok: true, method: f.method } }) });
    const hellos: unknown[] = [];
    harness = runSocketActor(socketLogic(deps(gateway.url, { onHello: (h) => hellos.push(h) })), 7);
    const hello = await harness.waitFor('socket.hello');
    const lifecycle = harness.signals.filter((s) => s.type !== 'socket.activity').map((s) => s.type);
    expect(lifecycle).toEqual(['socket.opened', 'socket.challenge', 'socket.hello']);
    expect(hello).toMatchObject({ epoch: 7, hello: { protocol: 4, connId: 'conn-0', maxPayload: 26_214_400, authMethod: 'token' } });
    expect(hellos).toHaveLength(1);
    expect(gateway.connections[0]!.connectParams).toEqual({
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: 'gateway-client', version: '0.1.0-test', platform: 'linux', mode: 'backend' },
      role: 'operator',
      scopes: ['operator.admin'],
      caps: [],
      auth: { token: TOKEN },
    });
    await expect(rpc.request('health')).resolves.toEqual({ ok: true, method: 'health' });
    expect(harness.signals.every((s) => s.epoch === 7)).toBe(true);
  });

  it('sends requests made before hello-ok once the handshake completes', async () => {
    gateway = await startFakeGateway();
    const early = rpc.request('status');
    harness = runSocketActor(socketLogic(deps(gateway.url)));
    await expect(early).resolves.toEqual({ method: 'status' });
  });

  it('signs the challenge with a device identity, stores the issued device token and uses it next time', async () => {
    gateway = await startFakeGateway([
      { hello: (h) => ({ ...h, auth: { method: 'token', role: 'operator', scopes: ['operator.admin'], deviceToken: 'issued-dt-5678' } }) },
      { hello: (h) => ({ ...h, auth: { method: 'device-token', role: 'operator', scopes: ['operator.admin'] } }) },
    ]);
    const identity = loadOrCreateDeviceIdentity(join(dir, 'device.json'));
    const socketDeps = deps(gateway.url, { credentials: () => ({ token: TOKEN, deviceIdentity: identity }) });

    harness = runSocketActor(socketLogic(socketDeps), 1);
    await harness.waitFor('socket.hello');
    const first = gateway.connections[0]!;
    const device = first.connectParams!.device as { id: string; publicKey: string; signature: string; signedAt: number; nonce: string };
    expect(first.connectParams).toMatchObject({ client: { id: 'cli', mode: 'cli' }, auth: { token: TOKEN } });
    expect(device).toMatchObject({ id: identity.deviceId, publicKey: identity.publicKey, signedAt: first.challengeTs, nonce: first.challengeNonce });
    const payload = buildDeviceAuthPayload({
      deviceId: identity.deviceId,
      clientId: 'cli',
      clientMode: 'cli',
      role: 'operator',
      scopes: ['operator.admin'],
      signedAtMs: first.challengeTs,
      token: TOKEN,
      nonce: first.challengeNonce,
      platform: 'linux',
    });
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: identity.publicKey }, format: 'jwk' });
    expect(verify(null, Buffer.from(payload), key, Buffer.from(device.signature, 'base64url'))).toBe(true);
    expect(loadOrCreateDeviceIdentity(join(dir, 'device.json')).deviceToken).toBe('issued-dt-5678');
    harness.stop();

    harness = runSocketActor(socketLogic(socketDeps), 2);
    const hello = await harness.waitFor('socket.hello');
    expect(gateway.connections[1]!.connectParams!.auth).toEqual({ deviceToken: 'issued-dt-5678' });
    expect(hello.hello.authMethod).toBe('device-token');
  });

  it('forgets a stored device token the gateway rejects, so the next attempt uses the shared token', async () => {
    gateway = await startFakeGateway([
      {
        connect: {
          error: { code: 'INVALID_REQUEST', message: 'unauthorized: device token mismatch', details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' } },
        },
      },
      {},
    ]);
    const identity = loadOrCreateDeviceIdentity(join(dir, 'device.json'));
    identity.saveDeviceToken('stale-device-token', { role: 'operator', scopes: ['operator.admin'] });
    const socketDeps = deps(gateway.url, { credentials: () => ({ token: TOKEN, deviceIdentity: identity }) });
    harness = runSocketActor(socketLogic(socketDeps), 1);
    await harness.waitFor('socket.closed');
    expect(identity.deviceToken).toBeUndefined();
    harness.stop();
    harness = runSocketActor(socketLogic(socketDeps), 2);
    await harness.waitFor('socket.hello');
    expect(gateway.connections[1]!.connectParams!.auth).toEqual({ token: TOKEN });
  });

  it('forwards other events with their seq, signals shutdown, and reports the gateway close code', async () => {
    gateway = await startFakeGateway({
      afterHello: [
        { kind: 'event', event: 'health', payload: { ok: true }, seq: 1 },
        { kind: 'event', event: 'shutdown', payload: { reason: 'gateway restarting', restartExpectedMs: 1500 }, seq: 2 },
        { kind: 'close', code: 1012, reason: 'service restart' },
      ],
    });
    const events: unknown[] = [];
    harness = runSocketActor(socketLogic(deps(gateway.url, { onEvent: (event, payload, seq) => events.push({ event, payload, seq }) })));
    const closed = await harness.waitFor('socket.closed');
    expect(events).toEqual([{ event: 'health', payload: { ok: true }, seq: 1 }]);
    expect(await harness.waitFor('socket.shutdown')).toMatchObject({ reason: 'gateway restarting', restartExpectedMs: 1500 });
    expect(closed).toMatchObject({ code: 1012, reason: 'service restart' });
    expect(harness.signals.at(-1)!.type).toBe('socket.closed');
  });

  it('signals activity at most once per throttle window, for any inbound frame', async () => {
    gateway = await startFakeGateway({
      afterHello: Array.from({ length: 5 }, (_, i) => ({ kind: 'event' as const, event: 'tick', payload: { ts: i }, seq: i + 1 })),
    });
    let clockMs = 0;
    const seen: string[] = [];
    harness = runSocketActor(socketLogic(deps(gateway.url, { activityThrottleMs: 1_000, now: () => clockMs, onEvent: (e) => void seen.push(e) })));
    await harness.waitFor('socket.hello');
    while (seen.length < 5) await new Promise((r) => setTimeout(r, 5));
    expect(harness.signals.filter((s) => s.type === 'socket.activity')).toHaveLength(1);
    clockMs = 1_000;
    await rpc.request('health');
    expect(harness.signals.filter((s) => s.type === 'socket.activity')).toHaveLength(2);
  });
});
