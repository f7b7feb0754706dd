// Bench 6: the clustered pool on a real redis-server (Debian's, a free loopback port, persistence off).
// - forwarded request latency (host B -> Redis -> owner A -> gateway and back) against a local request on
//   the owner, measured in the same run over the same gateway;
// - failover: SIGKILL of the owning host process to a request served by the other host, over several runs;
// - Redis return: a Redis restart (down for a TTL, so every owner stood down) to every key owned again, over
//   several runs, against the TTL (the design's bound: one TTL);
// - Redis commands per second per host at steady state with 1,000 owned keys (INFO's
//   total_commands_processed over a window), against the figure the design predicts (renewals at 3 per TTL
//   per key plus one heartbeat per renew period), with requests running meanwhile to show they cost none;
// - device fencing against the real gateway: a removal to the previous owner's socket closed (pool-cluster-fence.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createConnectionPool, type ClusteredConnectionPool } from '../src/runtime/connection-pool.js';
import { startFakeGateway } from '../tests/support/fake-gateway.js';
import { startRedisServer, type RedisServer } from '../tests/support/redis-server.js';
import { renderFenceMarkdown, runFenceBench, type FenceBenchResult } from './pool-cluster-fence.js';
import { ratio, round, summarize, type LatencySummary } from './support/stats.js';

export interface ClusterBenchOptions {
  requests: number;
  failoverRuns: number;
  redisReturnRuns: number;
  /** Keys (held by two in-process hosts) of the Redis-return measurement. */
  redisReturnKeys: number;
  /** Device-fence samples against the real gateway (pool-cluster-fence.ts). */
  fenceSamples: number;
  keys: number;
  /** TTL of the steady-state measurement (the command rate grows with keys / TTL). */
  steadyTtlMs: number;
  windowMs: number;
  log: (line: string) => void;
}

export const defaultClusterBenchOptions: Omit<ClusterBenchOptions, 'log'> = {
  requests: 1_000,
  failoverRuns: 5,
  redisReturnRuns: 5,
  redisReturnKeys: 30,
  fenceSamples: 30,
  keys: 1_000,
  steadyTtlMs: 10_000,
  windowMs: 6_000,
};

export interface ClusterBenchResult {
  local: LatencySummary;
  forwarded: LatencySummary;
  /** forwarded p50 / local p50. */
  p50Ratio: number | null;
  failoverTtlMs: number;
  failoverMs: number[];
  failover: LatencySummary;
  redisReturnTtlMs: number;
  redisReturnKeys: number;
  redisReturnMs: number[];
  redisReturn: LatencySummary;
  /** Redis return p50 / TTL. */
  redisReturnTtlRatio: number | null;
  fence: FenceBenchResult;
  keys: number;
  steadyTtlMs: number;
  commandsPerSecond: number;
  /** keys * 3 / TTL + heartbeats: what the design predicts. */
  predictedPerSecond: number;
  requestsDuringWindow: number;
}

export async function runClusterBench(options: ClusterBenchOptions): Promise<ClusterBenchResult> {
  const redis = await startRedisServer();
  const gateway = await startFakeGateway({ onRequest: (frame) => ({ ok: true, payload: { method: frame.method } }) });
  try {
    const latency = await forwardedAgainstLocal(redis, gateway.url, options);
    const failoverMs = await failovers(redis, gateway.url, options);
    const redisReturnMs = await redisReturns(redis, gateway.url, options);
    const redisReturn = summarize(redisReturnMs);
    const steady = await steadyState(redis, gateway.url, options);
    const fence = await runFenceBench({ samples: options.fenceSamples, log: options.log });
    return {
      fence,
      ...latency,
      p50Ratio: ratio(latency.forwarded.p50Ms, latency.local.p50Ms),
      failoverTtlMs: 1_500,
      failoverMs,
      failover: summarize(failoverMs),
      redisReturnTtlMs: RETURN_TTL_MS,
      redisReturnKeys: options.redisReturnKeys,
      redisReturnMs,
      redisReturn,
      redisReturnTtlRatio: ratio(redisReturn.p50Ms, RETURN_TTL_MS),
      ...steady,
    };
  } finally {
    await gateway.close();
    await redis.stop();
  }
}

async function forwardedAgainstLocal(redis: RedisServer, url: string, options: ClusterBenchOptions) {
  const a = createConnectionPool({ name: 'bench-latency', cluster: { redis: redis.url, hostId: 'a', leaseTtlMs: 5_000 } });
  const b = createConnectionPool({ name: 'bench-latency', cluster: { redis: redis.url, hostId: 'b', leaseTtlMs: 5_000 } });
  try {
    const owner = await a.acquire({ id: 'ua', url, token: 't' });
    const other = await b.acquire({ id: 'ub', url, token: 't' });
    for (let i = 0; i < 50; i++) await Promise.all([owner.request('status'), other.request('status')]);
    const local: number[] = [];
    const forwarded: number[] = [];
    // Interleaved, so load on the machine falls on both alike.
    for (let i = 0; i < options.requests; i++) {
      let t = performance.now();
      await owner.request('status');
      local.push(performance.now() - t);
      t = performance.now();
      await other.request('status');
      forwarded.push(performance.now() - t);
    }
    const result = { local: summarize(local), forwarded: summarize(forwarded) };
    options.log(
      `  local p50 ${result.local.p50Ms} ms p99 ${result.local.p99Ms} ms; forwarded p50 ${result.forwarded.p50Ms} ms p99 ${result.forwarded.p99Ms} ms`,
    );
    return result;
  } finally {
    await b.close();
    await a.close();
  }
}

async function failovers(redis: RedisServer, url: string, options: ClusterBenchOptions): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < options.failoverRuns; run++) {
    const owner = await startHost(redis.url, `owner-${run}`, 1_500);
    const survivor = createConnectionPool({ name: 'hosts', cluster: { redis: redis.url, hostId: `survivor-${run}`, leaseTtlMs: 1_500 } });
    try {
      await owner.call({ cmd: 'acquire', users: [{ id: 'o', url, token: `t${run}` }] });
      const handle = await survivor.acquire({ id: 's', url, token: `t${run}` });
      await handle.request('status');
      const killed = performance.now();
      const exited = once(owner.child, 'exit');
      owner.child.kill('SIGKILL');
      await exited;
      // Served again: the survivor owns the key and its request went over its own connection.
      for (;;) {
        const ok = await handle.request('status', {}, { timeoutMs: 500 }).then(
          () => survivor.status().cluster.leases.some((l) => l.state === 'owned' || l.state === 'renewing'),
          () => false,
        );
        if (ok) break;
        await sleep(10);
      }
      samples.push(round(performance.now() - killed, 1));
      options.log(`  failover run ${run + 1}: ${samples.at(-1)} ms (TTL 1,500 ms)`);
    } finally {
      if (owner.child.exitCode === null && owner.child.signalCode === null) owner.child.kill('SIGKILL');
      await survivor.close();
    }
  }
  return samples;
}

const RETURN_TTL_MS = 1_500;

/**
 * Two hosts (in this process) share the keys; Redis is killed, stays down for a TTL (every owner stands down
 * at its deadline), and starts again empty: the time from its return to every key owned again, once.
 */
async function redisReturns(redis: RedisServer, url: string, options: ClusterBenchOptions): Promise<number[]> {
  const samples: number[] = [];
  const hosts = ['ra', 'rb'].map((hostId) =>
    createConnectionPool({ name: 'bench-return', cluster: { redis: redis.url, hostId, leaseTtlMs: RETURN_TTL_MS } }),
  );
  const ownedOnce = () => {
    const owned = new Map<string, number>();
    for (const host of hosts)
      for (const lease of host.status().cluster.leases)
        if (lease.state === 'owned' || lease.state === 'renewing') owned.set(lease.key, (owned.get(lease.key) ?? 0) + 1);
    return owned.size === options.redisReturnKeys && [...owned.values()].every((n) => n === 1);
  };
  try {
    for (const [h, host] of hosts.entries())
      await Promise.all(Array.from({ length: options.redisReturnKeys }, (_, k) => host.acquire({ id: `r${h}-${k}`, url, token: `return-${k}` })));
    while (!ownedOnce()) await sleep(10);
    for (let run = 0; run < options.redisReturnRuns; run++) {
      await redis.stop();
      await sleep(RETURN_TTL_MS);
      const noneOwned = hosts.every((host) => host.status().cluster.leases.every((l) => l.state !== 'owned' && l.state !== 'renewing'));
      await redis.start();
      const back = performance.now();
      while (!ownedOnce()) {
        if (performance.now() - back > RETURN_TTL_MS * 20) throw new Error('Redis return: keys not owned again after 20 TTLs');
        await sleep(5);
      }
      samples.push(round(performance.now() - back, 1));
      options.log(
        `  Redis return run ${run + 1}: ${samples.at(-1)} ms to ${options.redisReturnKeys} keys owned (TTL ${RETURN_TTL_MS} ms; all stood down: ${noneOwned})`,
      );
      // Let the renewals settle before the next outage.
      await sleep(RETURN_TTL_MS);
    }
    return samples;
  } finally {
    for (const host of hosts) await host.close();
  }
}

async function steadyState(redis: RedisServer, url: string, options: ClusterBenchOptions) {
  const ttl = options.steadyTtlMs;
  const pool: ClusteredConnectionPool = createConnectionPool({
    name: 'bench-steady',
    cluster: { redis: redis.url, hostId: 'steady', leaseTtlMs: ttl },
  });
  const probe = new Redis(redis.url);
  try {
    // One gateway, 1,000 keys: the same URL with 1,000 credentials.
    const handles = [];
    for (let i = 0; i < options.keys; i += 100) {
      handles.push(...(await Promise.all(Array.from({ length: 100 }, (_, j) => pool.acquire({ id: `u${i + j}`, url, token: `token-${i + j}` })))));
    }
    await sleep(ttl);
    const before = await processed(probe);
    const start = performance.now();
    let requests = 0;
    while (performance.now() - start < options.windowMs) {
      await Promise.all(handles.slice(0, 100).map((h) => h.request('status')));
      requests += 100;
    }
    const after = await processed(probe);
    const seconds = (performance.now() - start) / 1_000;
    // The probe's own INFO counts once.
    const commandsPerSecond = round((after - before - 1) / seconds, 1);
    const renewIntervalMs = Math.floor(ttl / 3);
    const predictedPerSecond = round((options.keys + 1) * (1_000 / renewIntervalMs), 1);
    options.log(
      `  ${options.keys} keys at TTL ${ttl} ms: ${commandsPerSecond} Redis commands/s (predicted ${predictedPerSecond}) with ${requests} requests in the window`,
    );
    return { keys: options.keys, steadyTtlMs: ttl, commandsPerSecond, predictedPerSecond, requestsDuringWindow: requests };
  } finally {
    probe.disconnect();
    await pool.close();
  }
}

/** Commands sent by clients: every command Redis counts except those run inside scripts (INFO commandstats counts both). */
async function processed(client: Redis): Promise<number> {
  const info = await client.info('commandstats');
  let sent = 0;
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
    // A script's GET / PEXPIRE / SET / INCR / PTTL / DEL / TIME / Z* are counted under their own names too.
    if (['get', 'pexpire', 'set', 'incr', 'pttl', 'del', 'time', 'zadd', 'zrem', 'zremrangebyscore', 'zrange'].includes(match[1]!)) continue;
    sent += Number(match[2]);
  }
  return sent;
}

interface HostProcess {
  child: ChildProcess;
  call(command: Record<string, unknown>): Promise<unknown>;
}

async function startHost(redisUrl: string, id: string, ttlMs: number): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/cluster-host.ts'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, REDIS_URL: redisUrl, HOST_ID: id, LEASE_TTL_MS: String(ttlMs) },
  });
  let seq = 0;
  const waiting = new Map<number, (value: unknown) => void>();
  child.on('message', (raw) => {
    const message = raw as { type: string; seq: number; result: unknown };
    if (message.type === 'reply') waiting.get(message.seq)?.(message.result);
  });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    child,
    call: (command) =>
      new Promise((resolve) => {
        const n = ++seq;
        waiting.set(n, resolve);
        child.send({ ...command, seq: n });
      }),
  };
}

export function renderClusterMarkdown(result: ClusterBenchResult | undefined, error: string | undefined): string {
  if (!result) return `## Clustered pool\n\nfailed: ${error ?? 'unknown'}\n`;
  const row = (name: string, s: LatencySummary) => `| ${name} | ${s.n} | ${s.p50Ms} | ${s.p99Ms} | ${s.maxMs} |`;
  return [
    '## Clustered pool',
    '',
    'A real redis-server on loopback; requests interleaved on one fake gateway.',
    '',
    '| request | n | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- | --- |',
    row('local (on the owner)', result.local),
    row('forwarded (through Redis)', result.forwarded),
    '',
    `Failover (SIGKILL of the owning host to a request served by the other, TTL ${result.failoverTtlMs} ms): ${result.failoverMs.join(', ')} ms (p50 ${result.failover.p50Ms}).`,
    '',
    `Redis return (a restart after a TTL down, to all ${result.redisReturnKeys} keys of two hosts owned again, TTL ${result.redisReturnTtlMs} ms): ${result.redisReturnMs.join(', ')} ms (p50 ${result.redisReturn.p50Ms}, **${result.redisReturnTtlRatio}x the TTL**; design bound 1x).`,
    '',
    renderFenceMarkdown(result.fence),
    `Steady state: ${result.keys} keys at TTL ${result.steadyTtlMs} ms: **${result.commandsPerSecond} Redis commands/s** (design: ${result.predictedPerSecond}/s, renewals at 3 per TTL per key plus heartbeats; pipelined), with ${result.requestsDuringWindow} owner-local requests in the window costing none.`,
    '',
  ].join('\n');
}
