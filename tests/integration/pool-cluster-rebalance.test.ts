// Rebalancing when a host joins, with a real redis-server, host processes and 30 fake gateways that count
// sockets: two hosts own 30 keys, a third joins and takes the keys it is the preferred (highest rendezvous
// weight) host for, handed over gracefully: never two sockets for a gateway, requests from every host
// succeed and settle once during the move, proactive events are handled once, and exactly 30 sockets remain.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticated, duplicates, until } from '../support/cluster-host-process.js';
import { preferredHost, startClusterRig, type ClusterRig } from '../support/cluster-rig.js';

const TTL = 3_000;
const GATEWAYS = 30;
/** Bounded waits that only guard against a hang: a join settles in a few heartbeat periods. */
const SETTLE_GUARD_MS = 40_000;

let rig: ClusterRig;
const usersOf = (id: string) => rig.gateways.map((g, i) => ({ id: `${id}-user-${i}`, url: g.url, token: `token-${i}` }));

async function handedOver(): Promise<number> {
  let total = 0;
  for (const host of rig.hosts.values()) total += (await host.call({ cmd: 'status' })).cluster.handedOver as number;
  return total;
}

beforeAll(async () => {
  rig = await startClusterRig({ gateways: GATEWAYS, ttlMs: TTL });
  for (const id of ['a', 'b']) await rig.startHost(id);
}, 60_000);

afterAll(async () => {
  await rig?.stop();
}, 30_000);

describe('clustered pool rebalancing', () => {
  it('a third host joins two that own 30 keys: it takes its preferred share, one socket per gateway throughout, requests settle once', async () => {
    await Promise.all(['a', 'b'].map((id) => rig.hosts.get(id)!.call({ cmd: 'acquire', users: usersOf(id) })));
    expect(await until(() => rig.settledOnPreference(['a', 'b']), SETTLE_GUARD_MS)).toBe(true);
    const movesBefore = await handedOver();

    const c = await rig.startHost('c');
    await c.call({ cmd: 'acquire', users: usersOf('c') });

    // Under way during the move: requests from every host, proactive events on every open socket, and a
    // sample of the sockets each gateway has open every 20 ms.
    let moving = true;
    const counts = { issued: 0, settled: 0, errors: [] as string[] };
    const load = Promise.all(
      [...rig.hosts.values()].map(async (host) => {
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
      for (const [g, gateway] of rig.gateways.entries())
        for (const conn of gateway.connections.filter(authenticated))
          conn.run([{ kind: 'event', event: 'agent', payload: { runId: `join-${g}`, seq } }]);
    }, 100);
    let mostSockets = 0;
    const sampler = setInterval(() => (mostSockets = Math.max(mostSockets, ...rig.openSockets())), 20);

    const settled = await until(() => rig.settledOnPreference(['a', 'b', 'c']), SETTLE_GUARD_MS);
    clearInterval(emitter);
    clearInterval(sampler);
    moving = false;
    await load;
    await sleep(200);

    const owners = await rig.ownersByKey();
    const share = [...owners.values()].filter((o) => o[0] === 'c').length;
    console.log(`after the join: c owns ${share} of ${GATEWAYS} keys; most sockets one gateway had open at a sample: ${mostSockets}`);
    expect(settled).toBe(true);
    expect(share).toBeGreaterThan(0);
    // Every key is owned by its preferred host among the three, once.
    for (const [key, o] of owners) expect(o).toEqual([preferredHost(key, ['a', 'b', 'c'])]);
    expect(rig.openSockets()).toEqual(Array(GATEWAYS).fill(1));
    // Each key moved once, straight to its preferred host: no thrash.
    expect((await handedOver()) - movesBefore).toBe(share);
    expect(mostSockets).toBe(1);
    expect(counts.errors).toEqual([]);
    expect(counts.settled).toBe(counts.issued);
    expect(duplicates(rig.hosts.values())).toEqual([]);
    // Events keep flowing to the new owners, once.
    for (const [g, gateway] of rig.gateways.entries())
      for (const conn of gateway.connections.filter(authenticated))
        conn.run([{ kind: 'event', event: 'agent', payload: { runId: `after-${g}`, seq: 1 } }]);
    const after = () => [...rig.hosts.values()].flatMap((h) => h.proactive.filter((p) => p.runId.startsWith('after-')));
    expect(await until(() => after().length >= GATEWAYS, 5_000)).toBe(true);
    expect(c.proactive.filter((p) => p.runId.startsWith('after-'))).toHaveLength(share);
    expect(duplicates(rig.hosts.values())).toEqual([]);
  }, 120_000);
});
