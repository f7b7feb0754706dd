// Bench 3: the connection pool at scale. 10,000 users over 1,000 gateway URLs (fake gateways in a worker
// thread, so their side of each socket stays out of the heap measured here): sockets opened (goal exactly
// 1,000), heap held by the pool, and `acquire` latency when warm (goal p99 <= 1 ms) against the floor of
// the same lookup done with a plain Map, measured in the same run.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { createConnectionPool } from '../src/runtime/connection-pool.js';
import { ratio, round, summarize, type LatencySummary } from './support/stats.js';

export interface PoolBenchOptions {
  users: number;
  gateways: number;
  warmRounds: number;
  log: (line: string) => void;
}

export const defaultPoolBenchOptions: Omit<PoolBenchOptions, 'log'> = { users: 10_000, gateways: 1_000, warmRounds: 3 };

export interface PoolBenchResult {
  users: number;
  gateways: number;
  socketsOpened: number;
  coldAcquireAllMs: number;
  /** Heap of this thread after every user acquired, minus before the pool existed (after GC when exposed). */
  heapDeltaMb: number;
  heapPerConnectionKb: number;
  gcExposed: boolean;
  warmAcquire: LatencySummary;
  mapBaseline: LatencySummary;
  /** warm acquire p99 / Map lookup p99. */
  p99Ratio: number | null;
}

export async function runPoolBench(options: PoolBenchOptions): Promise<PoolBenchResult> {
  const fleet = await startFakeFleet(options.gateways);
  try {
    const urls = fleet.ports.map((port) => `ws://127.0.0.1:${port}/`);
    const users = Array.from({ length: options.users }, (_, i) => ({
      id: `user-${i}`,
      url: urls[i % urls.length]!,
      token: `token-${i % urls.length}`,
    }));
    const heapBefore = heapUsed();
    const pool = createConnectionPool({ name: 'bench' });
    try {
      const coldStart = performance.now();
      // Batches of 1,000: the first user of each URL opens its socket, the other nine wait on it.
      for (let i = 0; i < users.length; i += 1_000) await Promise.all(users.slice(i, i + 1_000).map((user) => pool.acquire(user)));
      const coldAcquireAllMs = round(performance.now() - coldStart, 1);
      const heapAfter = heapUsed();
      const socketsOpened = await fleet.connections();
      options.log(
        `  ${options.users} users over ${options.gateways} URLs: ${socketsOpened} sockets opened, cold acquire of all ${coldAcquireAllMs} ms`,
      );

      const baseline = new Map(users.map((user) => [user.id, { user: user.id }] as const));
      const lookup = async (id: string) => baseline.get(id);
      const warm: number[] = [];
      const floor: number[] = [];
      for (let round = 0; round < options.warmRounds; round++) {
        for (const user of shuffled(users, round + 1)) {
          // Interleaved so that noise on the shared machine falls on both.
          let t = performance.now();
          await pool.acquire(user);
          warm.push(performance.now() - t);
          t = performance.now();
          await lookup(user.id);
          floor.push(performance.now() - t);
        }
      }
      const warmAcquire = summarize(warm);
      const mapBaseline = summarize(floor);
      const heapDeltaMb = round((heapAfter - heapBefore) / 1_048_576, 1);
      const result: PoolBenchResult = {
        users: options.users,
        gateways: options.gateways,
        socketsOpened,
        coldAcquireAllMs,
        heapDeltaMb,
        heapPerConnectionKb: round((heapAfter - heapBefore) / socketsOpened / 1_024, 1),
        gcExposed: collect !== undefined,
        warmAcquire,
        mapBaseline,
        p99Ratio: ratio(warmAcquire.p99Ms, mapBaseline.p99Ms),
      };
      options.log(
        `  warm acquire p50 ${warmAcquire.p50Ms} ms p99 ${warmAcquire.p99Ms} ms (Map lookup p99 ${mapBaseline.p99Ms} ms, x${result.p99Ratio}); heap +${heapDeltaMb} MB`,
      );
      return result;
    } finally {
      await pool.close();
    }
  } finally {
    await fleet.stop();
  }
}

/** A full GC on demand even without `--expose-gc` on the command line (the flag is set for a new context). */
const collect: (() => void) | undefined = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? (gc as () => void) : undefined;
})();

function heapUsed(): number {
  collect?.();
  collect?.();
  return process.memoryUsage().heapUsed;
}

/** Deterministic Fisher-Yates, so every run measures the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed * 2_654_435_761;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// The fake gateways: a minimal protocol-4 gateway (challenge, hello-ok, every request answered ok), one
// WebSocket server per URL, all in a worker thread so their memory and CPU are not the pool's.
const FAKE_FLEET_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(workerData.wsPath);
const servers = [];
let connections = 0;
const hello = { type: 'hello-ok', protocol: 4, server: { version: 'bench-fake', bootId: 'boot', connId: 'c' },
  features: { methods: ['health'], events: ['tick'], capabilities: [] }, snapshot: {},
  auth: { method: 'token', role: 'operator', scopes: ['operator.admin'] },
  policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 } };
function start(i) {
  return new Promise((resolve) => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server.address().port));
    server.on('connection', (socket) => {
      connections++;
      socket.on('error', () => {});
      socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n' + i, ts: Date.now() } }));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data));
        if (frame.type !== 'req') return;
        socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: frame.method === 'connect' ? hello : {} }));
      });
    });
    servers.push(server);
  });
}
parentPort.on('message', async (message) => {
  if (message === 'count') return parentPort.postMessage({ connections });
  if (message === 'stop') {
    for (const server of servers) { for (const client of server.clients) client.terminate(); server.close(); }
    return parentPort.postMessage({ stopped: true });
  }
});
(async () => {
  const ports = [];
  for (let i = 0; i < workerData.count; i++) ports.push(await start(i));
  parentPort.postMessage({ ports });
})();
`;

interface FakeFleet {
  ports: number[];
  connections(): Promise<number>;
  stop(): Promise<void>;
}

async function startFakeFleet(count: number): Promise<FakeFleet> {
  const worker = new Worker(FAKE_FLEET_WORKER, { eval: true, workerData: { count, wsPath: import.meta.resolve('ws').replace('file://', '') } });
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  const { ports } = await next<{ ports: number[] }>();
  return {
    ports,
    async connections() {
      worker.postMessage('count');
      return (await next<{ connections: number }>()).connections;
    },
    async stop() {
      worker.postMessage('stop');
      await next();
      await worker.terminate();
    },
  };
}
