// Leases, fencing tokens and membership on one Redis, by Lua scripts so each step is atomic:
// - acquire: `SET key host:token NX PX ttl` with `INCR` of the key's fence counter in the same script, so a
//   token is issued exactly when a lease is taken; a held key answers its remaining TTL instead, and the
//   attempt leaves a claim (`host|weight`, PX ttl) when no better-weighted host claims the key already. A
//   taken lease records the new owner's device id (public) and answers the previous owner's, so the new owner
//   can have the gateway close the previous owner's sockets (device fencing).
// - renew / release: compare the stored `host:token` and extend / delete it; anyone else's lease is untouched.
//   A renewal answers the key's claim, so the owner learns of a preferred host without a command of its own.
// - hand over: compare the stored `host:token` and turn the lease into a reservation only the claimer takes.
// - heartbeat: this host's entry in a sorted set scored by its expiry on Redis's clock; expired members are
//   dropped by the same script, which answers the live members.
// The elapsed time of acquire and renew is measured on this process's monotonic clock from the moment the
// command is sent, so the lease chart's deadline never trusts a clock of another machine.
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { toRedisError, type RedisEndpoint } from './redis-client.js';

const ACQUIRE = `
local ttl = redis.call('PTTL', KEYS[1])
local mine = ARGV[1] .. '|'
local claim = redis.call('GET', KEYS[3])
local holder = redis.call('GET', KEYS[1])
if ttl ~= -2 and holder ~= '>' .. ARGV[1] then
  if ARGV[3] ~= '' and holder and string.sub(holder, 1, #ARGV[1] + 1) ~= ARGV[1] .. ':' then
    local better = not claim
    if claim then
      local sep = string.find(claim, '|', 1, true)
      better = string.sub(claim, 1, #mine) == mine or sep == nil or tonumber(string.sub(claim, sep + 1)) < tonumber(ARGV[3])
    end
    if better then redis.call('SET', KEYS[3], mine .. ARGV[3], 'PX', ARGV[2]) end
  end
  return {0, ttl}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
if claim and string.sub(claim, 1, #mine) == mine then redis.call('DEL', KEYS[3]) end
local previous = redis.call('GET', KEYS[4])
if not previous then previous = '' end
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4]) else redis.call('DEL', KEYS[4]) end
return {1, token, previous}`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local claim = redis.call('GET', KEYS[2])
  if not claim then claim = '' end
  return {1, claim}
end
return {0, ''}`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

// A handover: the holder turns its lease into a reservation for the claimer (\`>host\`, PX ttl), which only
// the claimer's next attempt can take; if the claimer never comes, the reservation expires like a lease.
const HAND_OVER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], '>' .. ARGV[2], 'PX', ARGV[3])
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
  ocsAcquire(
    lease: string,
    fence: string,
    claim: string,
    device: string,
    hostId: string,
    ttlMs: number,
    weight: string,
    deviceId: string,
  ): Promise<[number, number, string?]>;
  ocsRenew(lease: string, claim: string, holder: string, ttlMs: number): Promise<[number, string]>;
  ocsRelease(lease: string, holder: string): Promise<number>;
  ocsHandOver(lease: string, holder: string, to: string, ttlMs: number): Promise<number>;
  ocsHeartbeat(members: string, hostId: string, ttlMs: number): Promise<string[]>;
};

export type AcquireResult =
  | {
      acquired: true;
      token: number;
      elapsedMs: number;
      /** The device id the previous owner recorded, if any. */ previousDeviceId: string | undefined;
    }
  | { acquired: false; holderTtlMs: number };
/** A host that wants a key it does not hold, with its rendezvous weight for the key (higher is preferred). */
export interface LeaseClaim {
  hostId: string;
  weight: number;
}
export type RenewResult = { renewed: true; elapsedMs: number; claim: LeaseClaim | undefined } | { renewed: false };

export interface LeaseStore {
  /** `weight`: this host's rendezvous weight for the key; a failed attempt leaves it as a claim when it is the best. */
  acquire(input: { key: string; hostId: string; ttlMs: number; weight?: number; deviceId?: string }): Promise<AcquireResult>;
  renew(input: { key: string; hostId: string; ttlMs: number; token: number }): Promise<RenewResult>;
  release(input: { key: string; hostId: string; token: number }): Promise<void>;
  /** Releases the lease into a reservation that only `to` can take (for a TTL): a rebalancing handover. */
  handOver(input: { key: string; hostId: string; token: number; to: string; ttlMs: number }): Promise<void>;
  /** The current holder of a key's lease: its host and fencing token, or undefined when free. */
  holder(key: string): Promise<{ hostId: string; token: number } | undefined>;
  /** Refreshes this host's membership for `ttlMs` (0 leaves) and answers the live hosts. */
  heartbeat(hostId: string, ttlMs: number): Promise<string[]>;
  /** The Redis key names (for tests and for publishing to a host's inbox). */
  readonly keys: {
    lease(key: string): string;
    fence(key: string): string;
    claim(key: string): string;
    device(key: string): string;
    members(): string;
    inbox(hostId: string): string;
  };
}

export function createLeaseStore(options: { client: Redis; endpoint: RedisEndpoint; prefix: string; pool: string }): LeaseStore {
  const client = options.client as ScriptedRedis;
  // defineCommand sends EVALSHA and falls back to EVAL once per script after a Redis restart (NOSCRIPT).
  if (typeof client.ocsAcquire !== 'function') {
    client.defineCommand('ocsAcquire', { numberOfKeys: 4, lua: ACQUIRE });
    client.defineCommand('ocsRenew', { numberOfKeys: 2, lua: RENEW });
    client.defineCommand('ocsRelease', { numberOfKeys: 1, lua: RELEASE });
    client.defineCommand('ocsHandOver', { numberOfKeys: 1, lua: HAND_OVER });
    client.defineCommand('ocsHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  }
  const base = `${options.prefix}:${options.pool}`;
  const keys = {
    lease: (key: string) => `${base}:lease:${key}`,
    fence: (key: string) => `${base}:fence:${key}`,
    claim: (key: string) => `${base}:claim:${key}`,
    device: (key: string) => `${base}:device:${key}`,
    members: () => `${base}:hosts`,
    inbox: (hostId: string) => `${base}:inbox:${hostId}`,
  };
  const fail = (error: unknown): never => {
    throw toRedisError(error, options.endpoint);
  };
  return {
    keys,
    async acquire({ key, hostId, ttlMs, weight, deviceId }) {
      const sentAt = performance.now();
      const [acquired, value, previous] = await client
        .ocsAcquire(
          keys.lease(key),
          keys.fence(key),
          keys.claim(key),
          keys.device(key),
          hostId,
          ttlMs,
          weight === undefined ? '' : String(weight),
          deviceId ?? '',
        )
        .catch(fail);
      if (acquired === 1) {
        const elapsedMs = Math.ceil(performance.now() - sentAt);
        return {
          acquired: true,
          token: Number(value),
          elapsedMs,
          previousDeviceId: previous === undefined || previous === '' ? undefined : previous,
        };
      }
      // A lease without expiry (written by hand) is waited on like a full TTL.
      return { acquired: false, holderTtlMs: value >= 0 ? Number(value) : ttlMs };
    },
    async renew({ key, hostId, ttlMs, token }) {
      const sentAt = performance.now();
      const [renewed, claim] = await client.ocsRenew(keys.lease(key), keys.claim(key), `${hostId}:${token}`, ttlMs).catch(fail);
      return renewed === 1 ? { renewed: true, elapsedMs: Math.ceil(performance.now() - sentAt), claim: parseClaim(claim) } : { renewed: false };
    },
    async release({ key, hostId, token }) {
      await client.ocsRelease(keys.lease(key), `${hostId}:${token}`).catch(fail);
    },
    async handOver({ key, hostId, token, to, ttlMs }) {
      await client.ocsHandOver(keys.lease(key), `${hostId}:${token}`, to, ttlMs).catch(fail);
    },
    async holder(key) {
      const value = await client.get(keys.lease(key)).catch(fail);
      // Free, or reserved for a host that has not taken it yet: nobody owns it now.
      if (value === null || value.startsWith('>')) return undefined;
      const colon = value.lastIndexOf(':');
      return { hostId: value.slice(0, colon), token: Number(value.slice(colon + 1)) };
    },
    async heartbeat(hostId, ttlMs) {
      return client.ocsHeartbeat(keys.members(), hostId, ttlMs).catch(fail);
    },
  };
}

function parseClaim(value: string): LeaseClaim | undefined {
  const sep = value.indexOf('|');
  if (sep <= 0) return undefined;
  const weight = Number(value.slice(sep + 1));
  return Number.isFinite(weight) ? { hostId: value.slice(0, sep), weight } : undefined;
}
