// Rebalancing when a host joins, with a real redis-server, host processes and 30 fake gateways that count
// sockets: two hosts own 30 keys, a third joins and takes the keys it is the preferred (highest rendezvous
// weight) host for, handed over gracefully: never two sockets for a gateway, requests from every host
// succeed and settle once during the move, proactive events are handled once, and exactly 30 sockets remain.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendezvousWeight } from '../../src/runtime/pool-cluster-wire.js';
import { authenticated, duplicates, startHostProcess, until, type HostProcess } from '../support/cluster-host-process.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const TTL = 3_000;
const GATEWAYS = 30;
/** Bounded waits that only guard against a hang: a join settles in a few heartbeat periods. */
const SETTLE_GUARD_MS = 40_000;

let redis: RedisServer;
const gateways: FakeGateway[] = [];
const hosts = new Map<string, HostProcess>();

const openSockets = () => gateways.map((g) => g.connections.filter(authenticated).length);
const usersOf = (id: string) => gateways.map((g, i) => ({ id: `${id}-user-${i}`, url: g.url, token: `token-${i}` }));

/** The owning host of every owned key, by key (a key owned twice would show as a list of two). */
async function ownersByKey(): Promise<Map<string, string[]>> {
  const owners = new Map<string, string[]>();
  for (const host of hosts.values()) {
    const status = await host.call({ cmd: 'status' });
    for (const lease of status.cluster.leases as Array<{ key: string; state: string }>) {
      if (lease.state === 'owned' || lease.state === 'renewing') owners.set(lease.key, [...(owners.get(lease.key) ?? []), host.id]);
    }
  }
  return owners;
}

/** The highest-random-weight host of `key` among `ids`: the split every host computes the same way. */
const preferred = (key: string, ids: string[]) => [...ids].sort((a, b) => rendezvousWeight(b, key) - rendezvousWeight(a, key))[0]!;

async function settledOnPreference(ids: string[]): Promise<boolean> {
  const owners = await ownersByKey();
  return (
    owners.size === GATEWAYS && [...owners].every(([key, o]) => o.length === 1 && o[0] === preferred(key, ids)) && openSockets().every((n) => n === 1)
  );
}

async function handedOver(): Promise<number> {
  let total = 0;
  for (const host of hosts.values()) total += (await host.call({ cmd: 'status' })).cluster.handedOver as number;
  return total;
}

beforeAll(async () => {
  redis = await startRedisServer();
  for (let g = 0; g < GATEWAYS; g++)
    gateways.push(
      await startFakeGateway({ deviceRemoval: true, onRequest: (frame) => ({ ok: true, payload: { method: frame.method, gateway: g } }) }),
    );
  for (const id of ['a', 'b']) hosts.set(id, await startHostProcess({ redisUrl: redis.url, id, ttlMs: TTL, fenceDevices: true }));
}, 60_000);

afterAll(async () => {
  for (const host of hosts.values()) await host.kill();
  for (const gateway of gateways) await gateway.close();
  await redis?.stop();
}, 30_000);

describe('clustered pool rebalancing', () => {
  it('a third host joins two that own 30 keys: it takes its preferred share, one socket per gateway throughout, requests settle once', async () => {
    await Promise.all(['a', 'b'].map((id) => hosts.get(id)!.call({ cmd: 'acquire', users: usersOf(id) })));
    expect(await until(() => settledOnPreference(['a', 'b']), SETTLE_GUARD_MS)).toBe(true);
    const movesBefore = await handedOver();

    const c = await startHostProcess({ redisUrl: redis.url, id: 'c', ttlMs: TTL, fenceDevices: true });
    hosts.set('c', c);
    await c.call({ cmd: 'acquire', users: usersOf('c') });

    // Under way during the move: requests from every host, proactive events on every open socket, and a
    // sample of the sockets each gateway has open every 20 ms.
    let moving = true;
    const counts = { issued: 0, settled: 0, errors: [] as string[] };
    const load = Promise.all(
      [...hosts.values()].map(async (host) => {
        while (moving) {
          const ids = usersOf(host.id).map((u) => u.id);
          counts.issued += ids.length;
          const r = await host.call({ cmd: 'request', ids, method: 'status', timeoutMs: 10_000 });
          counts.settled += r.ok + r.errors.length;
          counts.errors.push(...r.errors);
        }
      }),
    );
    let seq = 0;
    const emitter = setInterval(() => {
      seq++;
      for (const [g, gateway] of gateways.entries())
        for (const conn of gateway.connections.filter(authenticated))
          conn.run([{ kind: 'event', event: 'agent', payload: { runId: `join-${g}`, seq } }]);
    }, 100);
    let mostSockets = 0;
    const sampler = setInterval(() => (mostSockets = Math.max(mostSockets, ...openSockets())), 20);

    const settled = await until(() => settledOnPreference(['a', 'b', 'c']), SETTLE_GUARD_MS);
    clearInterval(emitter);
    clearInterval(sampler);
    moving = false;
    await load;
    await sleep(200);

    const owners = await ownersByKey();
    const share = [...owners.values()].filter((o) => o[0] === 'c').length;
    console.log(`after the join: c owns ${share} of ${GATEWAYS} keys; most sockets one gateway had open at a sample: ${mostSockets}`);
    expect(settled).toBe(true);
    expect(share).toBeGreaterThan(0);
    // Every key is owned by its preferred host among the three, once.
    for (const [key, o] of owners) expect(o).toEqual([preferred(key, ['a', 'b', 'c'])]);
    expect(openSockets()).toEqual(Array(GATEWAYS).fill(1));
    // Each key moved once, straight to its preferred host: no thrash.
    expect((await handedOver()) - movesBefore).toBe(share);
    expect(mostSockets).toBe(1);
    expect(counts.errors).toEqual([]);
    expect(counts.settled).toBe(counts.issued);
    expect(duplicates(hosts.values())).toEqual([]);
    // Events keep flowing to the new owners, once.
    for (const [g, gateway] of gateways.entries())
      for (const conn of gateway.connections.filter(authenticated))
        conn.run([{ kind: 'event', event: 'agent', payload: { runId: `after-${g}`, seq: 1 } }]);
    const after = () => [...hosts.values()].flatMap((h) => h.proactive.filter((p) => p.runId.startsWith('after-')));
    expect(await until(() => after().length >= GATEWAYS, 5_000)).toBe(true);
    expect(c.proactive.filter((p) => p.runId.startsWith('after-'))).toHaveLength(share);
    expect(duplicates(hosts.values())).toEqual([]);
  }, 120_000);
});
