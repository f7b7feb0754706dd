// Memory under churn: 100,000 requests through one supervisor while the (fake) gateway drops the link every
// few seconds. After each slice of requests: heap used after a full GC, the supervisor's listener counts and
// this process's active resources. Flat numbers mean nothing accumulates per request or per reconnect.
// A fake gateway because this is about our side at scale, not the gateway's (docs/testing.md).
//   node --expose-gc --import tsx bench/memory-reconnects.ts [requests] [reconnectEveryMs]
import { mkdir, writeFile } from 'node:fs/promises';
import { createGatewaySupervisor } from '../src/index.js';
import { silentLogger } from '../src/logger.js';
import { startFakeGateway } from '../src/testing/fake-gateway.js';

const total = Number(process.argv[2] ?? 100_000);
const reconnectEveryMs = Number(process.argv[3] ?? 3_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const fake = await startFakeGateway({});
const supervisor = createGatewaySupervisor({
  mode: 'attach',
  url: fake.url,
  token: 'bench',
  logger: silentLogger,
  reconnect: { initialDelayMs: 50, maxDelayMs: 200, jitter: 0 },
});
await supervisor.start();
// The gateway drops every connection every few seconds (1012, as a restart would).
const dropper = setInterval(() => {
  for (const connection of fake.connections) if (connection.closed === undefined) connection.run([{ kind: 'close', code: 1012, reason: 'bench' }]);
}, reconnectEveryMs);

const samples: Array<{ done: number; heapMb: number; reconnects: number; ok: number; failed: number; resources: number; processListeners: number }> =
  [];
let ok = 0;
let failed = 0;
const sample = (done: number) => {
  // The fake keeps every frame it received (for tests' assertions): empty it, so only our side is weighed.
  for (const connection of fake.connections) (connection.received as unknown[]).length = 0;
  gc();
  gc();
  samples.push({
    done,
    heapMb: Math.round((process.memoryUsage().heapUsed / 1_048_576) * 100) / 100,
    reconnects: fake.connections.length - 1,
    ok,
    failed,
    resources: process.getActiveResourcesInfo().length,
    processListeners: ['exit', 'SIGINT', 'SIGTERM', 'uncaughtException'].reduce((n, name) => n + process.listenerCount(name), 0),
  });
};

const started = performance.now();
const window = 32;
const slice = total / 10;
for (let done = 0; done < total; done += slice) {
  // A host that subscribes per slice and unsubscribes must leave nothing behind.
  const off = supervisor.on('status', () => {});
  let issued = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (issued < slice) {
        issued++;
        await supervisor.request('health', undefined, { timeoutMs: 5_000 }).then(
          () => void ok++,
          () => void failed++,
        );
      }
    }),
  );
  off();
  sample(done + slice);
}
const elapsedMs = Math.round(performance.now() - started);
clearInterval(dropper);
await supervisor.dispose();
await fake.close();

const first = samples[0]!;
const last = samples.at(-1)!;
const result = { total, reconnectEveryMs, elapsedMs, samples, heapGrowthMb: Math.round((last.heapMb - first.heapMb) * 100) / 100 };
console.table(samples);
console.log(
  `memory: ${total} requests in ${elapsedMs} ms across ${last.reconnects} reconnects; heap after GC ${first.heapMb} -> ${last.heapMb} MB; active resources ${first.resources} -> ${last.resources}; process listeners ${first.processListeners} -> ${last.processListeners}`,
);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/memory-reconnects-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
await writeFile(file, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${file.pathname}`);
