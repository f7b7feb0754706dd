// The Redis lease store against a real redis-server: one holder at a time, a fencing token per acquisition
// that only grows, renew and release by token only, membership by heartbeat, and typed errors for an
// unreachable Redis and a wrong password (no password in any message).
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseStore, openRedis, type LeaseStore } from '../../src/adapters/redis/index.js';
import { isSupervisorError } from '../../src/errors.js';
import { freePort } from '../support/free-port.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const SECRET = 'hunter2-redis-secret';
let server: RedisServer;
let client: Redis;
let store: LeaseStore;

beforeAll(async () => {
  server = await startRedisServer({ password: SECRET });
  const opened = await openRedis({ url: server.url, connectTimeoutMs: 2_000, name: 'lease-test' });
  client = opened.client;
  store = createLeaseStore({ client, endpoint: opened.endpoint, prefix: 'ocs', pool: 'test' });
}, 30_000);

afterAll(async () => {
  client?.disconnect();
  await server?.stop();
});

describe('redis lease store', () => {
  it('one holder at a time, a new fencing token per acquisition, renew and release by token only', async () => {
    const first = await store.acquire({ key: 'k1', hostId: 'a', ttlMs: 5_000 });
    expect(first).toMatchObject({ acquired: true });
    const token = first.acquired ? first.token : -1;
    const second = await store.acquire({ key: 'k1', hostId: 'b', ttlMs: 5_000 });
    expect(second.acquired).toBe(false);
    if (!second.acquired) expect(second.holderTtlMs).toBeGreaterThan(4_000);
    expect(await store.holder('k1')).toEqual({ hostId: 'a', token });
    // b cannot renew or release a's lease, not even with a's token.
    expect(await store.renew({ key: 'k1', hostId: 'b', ttlMs: 5_000, token })).toEqual({ renewed: false });
    await store.release({ key: 'k1', hostId: 'b', token });
    expect(await store.holder('k1')).toEqual({ hostId: 'a', token });
    expect(await store.renew({ key: 'k1', hostId: 'a', ttlMs: 5_000, token })).toMatchObject({ renewed: true });
    await store.release({ key: 'k1', hostId: 'a', token });
    expect(await store.holder('k1')).toBeUndefined();
    const third = await store.acquire({ key: 'k1', hostId: 'b', ttlMs: 5_000 });
    expect(third.acquired && third.token).toBe(token + 1);
    // The old token renews nothing once another acquisition happened.
    expect(await store.renew({ key: 'k1', hostId: 'a', ttlMs: 5_000, token })).toEqual({ renewed: false });
  });

  it('a lease that is not renewed expires in Redis after its TTL and the next holder gets a larger token', async () => {
    const first = await store.acquire({ key: 'k2', hostId: 'a', ttlMs: 150 });
    const waited = await store.acquire({ key: 'k2', hostId: 'b', ttlMs: 150 });
    expect(waited.acquired).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, waited.acquired ? 0 : waited.holderTtlMs + 20));
    const next = await store.acquire({ key: 'k2', hostId: 'b', ttlMs: 150 });
    expect(next.acquired && first.acquired && next.token > first.token).toBe(true);
  });

  it('a host that wants a held key leaves its claim; the best-weighted claim stands and reaches the owner with its renewal', async () => {
    const owned = await store.acquire({ key: 'k3', hostId: 'a', ttlMs: 5_000, weight: 50 });
    const token = owned.acquired ? owned.token : -1;
    expect(await store.renew({ key: 'k3', hostId: 'a', ttlMs: 5_000, token })).toMatchObject({ renewed: true, claim: undefined });
    // The holder's own attempt claims nothing; b claims, a lower-weighted c does not replace it, a heavier d does.
    await store.acquire({ key: 'k3', hostId: 'a', ttlMs: 5_000, weight: 50 });
    expect(await store.renew({ key: 'k3', hostId: 'a', ttlMs: 5_000, token })).toMatchObject({ claim: undefined });
    await store.acquire({ key: 'k3', hostId: 'b', ttlMs: 5_000, weight: 100 });
    await store.acquire({ key: 'k3', hostId: 'c', ttlMs: 5_000, weight: 70 });
    expect(await store.renew({ key: 'k3', hostId: 'a', ttlMs: 5_000, token })).toMatchObject({ claim: { hostId: 'b', weight: 100 } });
    await store.acquire({ key: 'k3', hostId: 'd', ttlMs: 5_000, weight: 200 });
    expect(await store.renew({ key: 'k3', hostId: 'a', ttlMs: 5_000, token })).toMatchObject({ claim: { hostId: 'd', weight: 200 } });
    // The claimer that takes the key clears its claim.
    await store.release({ key: 'k3', hostId: 'a', token });
    const taken = await store.acquire({ key: 'k3', hostId: 'd', ttlMs: 5_000, weight: 200 });
    expect(taken.acquired).toBe(true);
    expect(await client.exists(store.keys.claim('k3'))).toBe(0);
  });

  it('a handover reserves the key for the claimer: a third host waits, the claimer takes it with the next token', async () => {
    const owned = await store.acquire({ key: 'k4', hostId: 'a', ttlMs: 5_000 });
    const token = owned.acquired ? owned.token : -1;
    await store.handOver({ key: 'k4', hostId: 'b', token, to: 'x', ttlMs: 5_000 }); // not b's lease: untouched
    expect(await store.holder('k4')).toEqual({ hostId: 'a', token });
    await store.handOver({ key: 'k4', hostId: 'a', token, to: 'c', ttlMs: 5_000 });
    expect(await store.holder('k4')).toBeUndefined();
    expect(await store.renew({ key: 'k4', hostId: 'a', ttlMs: 5_000, token })).toEqual({ renewed: false });
    expect((await store.acquire({ key: 'k4', hostId: 'b', ttlMs: 5_000 })).acquired).toBe(false);
    expect(await store.acquire({ key: 'k4', hostId: 'c', ttlMs: 5_000 })).toMatchObject({ acquired: true, token: token + 1 });
    expect(await store.holder('k4')).toEqual({ hostId: 'c', token: token + 1 });
  });

  it('a taken lease records the owner device id and answers the previous one, so the next owner can fence it', async () => {
    const first = await store.acquire({ key: 'k5', hostId: 'a', ttlMs: 5_000, deviceId: 'dev-a' });
    expect(first).toMatchObject({ acquired: true, previousDeviceId: undefined });
    await store.release({ key: 'k5', hostId: 'a', token: first.acquired ? first.token : -1 });
    const second = await store.acquire({ key: 'k5', hostId: 'b', ttlMs: 5_000, deviceId: 'dev-b' });
    expect(second).toMatchObject({ acquired: true, previousDeviceId: 'dev-a' });
    expect(await client.get(store.keys.device('k5'))).toBe('dev-b');
    // An owner without device fencing clears the record: nobody fences a device it does not know.
    await store.release({ key: 'k5', hostId: 'b', token: second.acquired ? second.token : -1 });
    expect(await store.acquire({ key: 'k5', hostId: 'c', ttlMs: 5_000 })).toMatchObject({ acquired: true, previousDeviceId: 'dev-b' });
    expect(await client.exists(store.keys.device('k5'))).toBe(0);
  });

  it('membership: live hosts by heartbeat, an expired heartbeat drops out, a leaving host is gone at once', async () => {
    await store.heartbeat('h1', 5_000);
    await store.heartbeat('h2', 100);
    expect((await store.heartbeat('h3', 5_000)).sort()).toEqual(['h1', 'h2', 'h3']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await store.heartbeat('h1', 5_000)).sort()).toEqual(['h1', 'h3']);
    expect((await store.heartbeat('h3', 0)).sort()).toEqual(['h1']);
  });

  it('scripts survive a Redis restart (loaded again on NOSCRIPT) and commands fail typed while it is down', async () => {
    await server.stop();
    const down = await store.acquire({ key: 'k3', hostId: 'a', ttlMs: 1_000 }).catch((error: unknown) => error);
    expect(isSupervisorError(down) && down.code).toBe('REDIS_UNAVAILABLE');
    expect(String((down as Error).message)).not.toContain(SECRET);
    await server.start();
    const deadline = Date.now() + 10_000;
    while (client.status !== 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.acquire({ key: 'k3', hostId: 'a', ttlMs: 1_000 })).toMatchObject({ acquired: true, token: 1 });
  });

  it('an unreachable Redis URL and a wrong password are typed errors that never show the password', async () => {
    const port = await freePort();
    const unreachable = await openRedis({ url: `redis://:${SECRET}@127.0.0.1:${port}`, connectTimeoutMs: 1_000, name: 't' }).catch((e: unknown) => e);
    expect(isSupervisorError(unreachable) && unreachable.code).toBe('REDIS_UNAVAILABLE');
    expect(isSupervisorError(unreachable) && unreachable.retryable).toBe(true);
    const wrong = await openRedis({ url: `redis://:not-${SECRET}@127.0.0.1:${server.port}`, connectTimeoutMs: 1_000, name: 't' }).catch(
      (e: unknown) => e,
    );
    expect(isSupervisorError(wrong) && wrong.code).toBe('REDIS_AUTH_FAILED');
    const missing = await openRedis({ url: `redis://127.0.0.1:${server.port}`, connectTimeoutMs: 1_000, name: 't' }).catch((e: unknown) => e);
    expect(isSupervisorError(missing) && missing.code).toBe('REDIS_AUTH_FAILED');
    const bad = await openRedis({ url: 'http://example', connectTimeoutMs: 1_000, name: 't' }).catch((e: unknown) => e);
    expect(isSupervisorError(bad) && bad.code).toBe('CONFIG_INVALID');
    for (const error of [unreachable, wrong, missing, bad]) {
      expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details })).not.toContain(SECRET);
    }
  });
});
