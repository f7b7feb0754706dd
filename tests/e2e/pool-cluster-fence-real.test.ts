// Device fencing of a clustered pool against the real gateway (and a real redis-server): a new owner has the
// gateway remove the previous owner's device, which closes every socket of that device with 4001 "device
// removed", before it acts. A host SIGSTOPped past its lease is fenced this way while it is still frozen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from '../../src/adapters/websocket/index.js';
import { buildConnectParams } from '../../src/protocol/index.js';
import { createConnectionPool, type ClusteredConnectionPool } from '../../src/runtime/connection-pool.js';
import { startHostProcess, until, type HostProcess } from '../support/cluster-host-process.js';
import { startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const TTL = 3_000;
/** Bounded waits against a hang only. */
const GUARD_MS = 60_000;

let gateway: RealGateway;
let redis: RedisServer;
let probe: Redis;
let home: string;
const pools: ClusteredConnectionPool[] = [];
const hosts: HostProcess[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ocs-fence-'));
  redis = await startRedisServer();
  probe = new Redis(redis.url);
  gateway = await startRealGateway();
}, 120_000);

afterAll(async () => {
  // SIGKILL ends a stopped process too.
  for (const host of hosts) await host.kill();
  for (const pool of pools) await pool.close();
  probe?.disconnect();
  await gateway?.stop();
  await redis?.stop();
  rmSync(home, { recursive: true, force: true });
}, 60_000);

function clusteredPool(hostId: string): ClusteredConnectionPool {
  const pool = createConnectionPool({ name: 'fence', cluster: { redis: redis.url, hostId, leaseTtlMs: TTL, fenceDevices: true } });
  pools.push(pool);
  return pool;
}

const ownedKeys = (pool: ClusteredConnectionPool) =>
  pool
    .status()
    .cluster.leases.filter((l) => l.state === 'owned' || l.state === 'renewing')
    .map((l) => l.key);

/** A bare client with a device identity that never closes on its own: what a frozen owner looks like to the gateway. */
async function connectDevice(identity: DeviceIdentity): Promise<{ closed: Promise<{ code: number; reason: string }>; socket: WebSocket }> {
  const socket = new WebSocket(gateway.url);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; event?: string; id?: string; ok?: boolean; payload?: never; error?: unknown };
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        const params = buildConnectParams({
          client: { version: 'test', platform: process.platform },
          device: identity,
          challenge: frame.payload!,
          token: gateway.token,
        });
        socket.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }));
      } else if (frame.type === 'res' && frame.id === 'connect') {
        if (frame.ok) resolve();
        else reject(new Error(JSON.stringify(frame.error)));
      }
    });
    socket.on('error', reject);
  });
  return { closed, socket };
}

describe('clustered pool device fencing against the real gateway', () => {
  it('a new owner has the gateway close the recorded previous device: its socket gets 4001 "device removed"', async () => {
    const first = clusteredPool('f1');
    const user = { id: 'u1', url: gateway.url, token: gateway.token };
    const handle = await first.acquire(user);
    await handle.request('health', {}, { timeoutMs: 30_000 });
    const [key] = ownedKeys(first);
    expect(key).toBeDefined();
    // A device that is still connected and recorded as the key's last owner (as a frozen owner's would be).
    const ghost = loadOrCreateDeviceIdentity(join(home, 'ghost.json'));
    const frozen = await connectDevice(ghost);
    await first.release(user.id);
    expect(await until(async () => (await probe.get(`ocs:fence:lease:${key}`)) === null, GUARD_MS)).toBe(true);
    await probe.set(`ocs:fence:device:${key}`, ghost.deviceId);

    const next = clusteredPool('f2');
    const taken = await next.acquire({ id: 'u2', url: gateway.url, token: gateway.token });
    const served = await taken.request('health', {}, { timeoutMs: 30_000 });
    expect(served).toBeDefined();
    // The owner's first act was the removal: by the time it served, the gateway had closed the other device.
    expect(await Promise.race([frozen.closed, sleep(GUARD_MS).then(() => undefined)])).toEqual({ code: 4001, reason: 'device removed' });
    expect(next.status().cluster).toMatchObject({ devicesFenced: 1, deviceFenceFailures: 0 });
    const paired = (await taken.request('device.pair.list', {}, { timeoutMs: 30_000 })) as { paired: Array<{ deviceId: string }> };
    expect(paired.paired.map((d) => d.deviceId)).not.toContain(ghost.deviceId);
    await next.release('u2');
  }, 120_000);

  it('a host SIGSTOPped past its lease: the new owner removes its device while it is frozen, then serves', async () => {
    const frozenHost = await startHostProcess({ redisUrl: redis.url, id: 'frozen', ttlMs: TTL, fenceDevices: true, pool: 'fence' });
    hosts.push(frozenHost);
    await frozenHost.call({ cmd: 'acquire', users: [{ id: 'fu', url: gateway.url, token: gateway.token }] });
    const status = await frozenHost.call({ cmd: 'status' });
    const key = (status.cluster.leases as Array<{ key: string; state: string }>).find((l) => l.state === 'owned' || l.state === 'renewing')?.key;
    expect(key).toBeDefined();
    const frozenDevice = await probe.get(`ocs:fence:device:${key}`);
    expect(frozenDevice).toMatch(/^[0-9a-f]{64}$/);
    frozenHost.child.kill('SIGSTOP');

    const survivor = clusteredPool('survivor');
    const handle = await survivor.acquire({ id: 'su', url: gateway.url, token: gateway.token });
    // Until the frozen owner's lease runs out, requests go to it and time out; then the survivor owns and serves.
    const servedHere = await until(async () => {
      const ok = await handle.request('health', {}, { timeoutMs: 2_000 }).then(
        () => true,
        () => false,
      );
      return ok && ownedKeys(survivor).includes(key!);
    }, GUARD_MS);
    expect(servedHere).toBe(true);
    expect(survivor.status().cluster).toMatchObject({ devicesFenced: 1, deviceFenceFailures: 0 });
    // Still frozen (SIGCONT comes below): the gateway no longer knows its device (its socket was closed with 4001 by the removal).
    expect(frozenHost.child.exitCode).toBeNull();
    const paired = (await handle.request('device.pair.list', {}, { timeoutMs: 30_000 })) as {
      paired: Array<{ deviceId: string; connected?: boolean }>;
    };
    expect(paired.paired.map((d) => d.deviceId)).not.toContain(frozenDevice);
    const survivorDevice = await probe.get(`ocs:fence:device:${key}`);
    expect(paired.paired.find((d) => d.deviceId === survivorDevice)).toMatchObject({ connected: true });
    frozenHost.child.kill('SIGCONT');
    // Resumed, the frozen host forwards to the survivor like any other host.
    const resumed = await frozenHost.call({ cmd: 'request', ids: ['fu'], method: 'health', timeoutMs: 30_000 });
    expect(resumed).toEqual({ ok: 1, errors: [] });
  }, 180_000);
});
