// Leases, fencing tokens and membership on one Redis, by Lua scripts so each step is atomic:
// - acquire: `SET key host:token NX PX ttl` with `INCR` of the key's fence counter in the same script, so a
//   token is issued exactly when a lease is taken; a held key answers its remaining TTL instead.
// - renew / release: compare the stored `host:token` and extend / delete it; anyone else's lease is untouched.
// - heartbeat: this host's entry in a sorted set scored by its expiry on Redis's clock; expired members are
//   dropped by the same script, which answers the live members.
// The elapsed time of acquire and renew is measured on this process's monotonic clock from the moment the
// command is sent, so the lease chart's deadline never trusts a clock of another machine.
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { toRedisError, type RedisEndpoint } from './redis-client.js';

const ACQUIRE = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl ~= -2 then return {0, ttl} end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'NX', 'PX', ARGV[2])
return {1, token}`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[2] ~= '0' then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) else redis.call('ZREM', KEYS[1], ARGV[1]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

type ScriptedRedis = Redis & {
  ocsAcquire(lease: string, fence: string, hostId: string, ttlMs: number): Promise<[number, number]>;
  ocsRenew(lease: string, holder: string, ttlMs: number): Promise<number>;
  ocsRelease(lease: string, holder: string): Promise<number>;
  ocsHeartbeat(members: string, hostId: string, ttlMs: number): Promise<string[]>;
};

export type AcquireResult = { acquired: true; token: number; elapsedMs: number } | { acquired: false; holderTtlMs: number };
export type RenewResult = { renewed: true; elapsedMs: number } | { renewed: false };

export interface LeaseStore {
  acquire(input: { key: string; hostId: string; ttlMs: number }): Promise<AcquireResult>;
  renew(input: { key: string; hostId: string; ttlMs: number; token: number }): Promise<RenewResult>;
  release(input: { key: string; hostId: string; token: number }): Promise<void>;
  /** The current holder of a key's lease: its host and fencing token, or undefined when free. */
  holder(key: string): Promise<{ hostId: string; token: number } | undefined>;
  /** Refreshes this host's membership for `ttlMs` (0 leaves) and answers the live hosts. */
  heartbeat(hostId: string, ttlMs: number): Promise<string[]>;
  /** The Redis key names (for tests and for publishing to a host's inbox). */
  readonly keys: {
    lease(key: string): string;
    fence(key: string): string;
    members(): string;
    inbox(hostId: string): string;
  };
}

export function createLeaseStore(options: { client: Redis; endpoint: RedisEndpoint; prefix: string; pool: string }): LeaseStore {
  const client = options.client as ScriptedRedis;
  // defineCommand sends EVALSHA and falls back to EVAL once per script after a Redis restart (NOSCRIPT).
  if (typeof client.ocsAcquire !== 'function') {
    client.defineCommand('ocsAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    client.defineCommand('ocsRenew', { numberOfKeys: 1, lua: RENEW });
    client.defineCommand('ocsRelease', { numberOfKeys: 1, lua: RELEASE });
    client.defineCommand('ocsHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  }
  const base = `${options.prefix}:${options.pool}`;
  const keys = {
    lease: (key: string) => `${base}:lease:${key}`,
    fence: (key: string) => `${base}:fence:${key}`,
    members: () => `${base}:hosts`,
    inbox: (hostId: string) => `${base}:inbox:${hostId}`,
  };
  const fail = (error: unknown): never => {
    throw toRedisError(error, options.endpoint);
  };
  return {
    keys,
    async acquire({ key, hostId, ttlMs }) {
      const sentAt = performance.now();
      const [acquired, value] = await client.ocsAcquire(keys.lease(key), keys.fence(key), hostId, ttlMs).catch(fail);
      if (acquired === 1) return { acquired: true, token: Number(value), elapsedMs: Math.ceil(performance.now() - sentAt) };
      // A lease without expiry (written by hand) is waited on like a full TTL.
      return { acquired: false, holderTtlMs: value >= 0 ? Number(value) : ttlMs };
    },
    async renew({ key, hostId, ttlMs, token }) {
      const sentAt = performance.now();
      const renewed = await client.ocsRenew(keys.lease(key), `${hostId}:${token}`, ttlMs).catch(fail);
      return renewed === 1 ? { renewed: true, elapsedMs: Math.ceil(performance.now() - sentAt) } : { renewed: false };
    },
    async release({ key, hostId, token }) {
      await client.ocsRelease(keys.lease(key), `${hostId}:${token}`).catch(fail);
    },
    async holder(key) {
      const value = await client.get(keys.lease(key)).catch(fail);
      if (value === null) return undefined;
      const colon = value.lastIndexOf(':');
      return { hostId: value.slice(0, colon), token: Number(value.slice(colon + 1)) };
    },
    async heartbeat(hostId, ttlMs) {
      return client.ocsHeartbeat(keys.members(), hostId, ttlMs).catch(fail);
    },
  };
}
