// The clustered-pool tests' shared setting: a real redis-server, fake gateways that count sockets (each
// answers a request with its own index), and host processes of one clustered pool, started by id. With the
// questions both tests ask of it: how many sockets each gateway holds, which host owns each key, and whether
// every key sits on its preferred host.
import { rendezvousWeight } from '../../src/runtime/pool-cluster-wire.js';
import { authenticated, startHostProcess, type HostProcess } from './cluster-host-process.js';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

export interface ClusterRig {
  readonly redis: RedisServer;
  readonly gateways: FakeGateway[];
  readonly hosts: Map<string, HostProcess>;
  /** Starts host `id` of the pool (device fencing on) and keeps it in `hosts`. */
  startHost(id: string): Promise<HostProcess>;
  /** Authenticated sockets per gateway. */
  openSockets(): number[];
  /** The hosts among `ids` (default: every started one) that own each key, by key: a key owned twice lists two. */
  ownersByKey(ids?: string[]): Promise<Map<string, string[]>>;
  /** Every gateway's key owned once, by its preferred host among `ids`, over one socket. */
  settledOnPreference(ids: string[]): Promise<boolean>;
  /** SIGKILLs every host (a stopped one too), closes the gateways, stops Redis. */
  stop(): Promise<void>;
}

/** The highest-random-weight host of `key` among `ids`: the split every host computes the same way. */
export function preferredHost(key: string, ids: string[]): string {
  return [...ids].sort((a, b) => rendezvousWeight(b, key) - rendezvousWeight(a, key))[0]!;
}

export async function startClusterRig(options: { gateways: number; ttlMs: number }): Promise<ClusterRig> {
  const redis = await startRedisServer();
  const gateways: FakeGateway[] = [];
  const hosts = new Map<string, HostProcess>();
  for (let g = 0; g < options.gateways; g++) {
    gateways.push(
      await startFakeGateway({ deviceRemoval: true, onRequest: (frame) => ({ ok: true, payload: { method: frame.method, gateway: g } }) }),
    );
  }
  const openSockets = () => gateways.map((g) => g.connections.filter(authenticated).length);

  const ownersByKey = async (ids = [...hosts.keys()]): Promise<Map<string, string[]>> => {
    const owners = new Map<string, string[]>();
    for (const id of ids) {
      const status = await hosts.get(id)!.call({ cmd: 'status' });
      for (const lease of status.cluster.leases as Array<{ key: string; state: string }>) {
        if (lease.state === 'owned' || lease.state === 'renewing') owners.set(lease.key, [...(owners.get(lease.key) ?? []), id]);
      }
    }
    return owners;
  };

  return {
    redis,
    gateways,
    hosts,
    async startHost(id) {
      const host = await startHostProcess({ redisUrl: redis.url, id, ttlMs: options.ttlMs, fenceDevices: true });
      hosts.set(id, host);
      return host;
    },
    openSockets,
    ownersByKey,
    async settledOnPreference(ids) {
      const owners = await ownersByKey(ids);
      return (
        owners.size === gateways.length &&
        [...owners].every(([key, o]) => o.length === 1 && o[0] === preferredHost(key, ids)) &&
        openSockets().every((n) => n === 1)
      );
    },
    async stop() {
      for (const host of hosts.values()) await host.kill();
      for (const gateway of gateways) await gateway.close();
      await redis.stop();
    },
  };
}
