// `npm run bench`: control-connection throughput (bench 1) and lifecycle (bench 2) against the real
// gateway, each with its baselines measured in the same run. Writes bench/results/<name>-<ISO date>.json
// and bench/results/latest.md. Benchmarks are never part of the tests.
//
//   tsx bench/run.ts [--only throughput|lifecycle] [--rounds N] [--iterations N] [--quick] [--no-write] [name ...]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLifecycleBench, defaultLifecycleOptions, type LifecycleResult } from './lifecycle.js';
import { defaultFleetBenchOptions, runFleetBench, type FleetBenchResult } from './fleet.js';
import { defaultPoolBenchOptions, runPoolBench, type PoolBenchResult } from './pool.js';
import { defaultClusterBenchOptions, renderClusterMarkdown, runClusterBench, type ClusterBenchResult } from './pool-cluster.js';
import { defaultChannelBenchOptions, renderChannelMarkdown, runChannelBench, type ChannelBenchResult } from './channels.js';
import { renderMarkdown, type RunRecord } from './report.js';
import { runCleanups } from './support/cleanup.js';
import { mergeLatest } from './support/merge-latest.js';
import { launchGateway } from './support/gateways.js';
import { currentLoadAvg1m, describeMachine } from './support/machine.js';
import { waitForQuiet } from './support/proc-cpu.js';
import { round } from './support/stats.js';
import { defaultThroughputOptions, runThroughputBench, type ThroughputResult } from './throughput.js';

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

const { values: args, positionals } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string' },
    iterations: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
  },
  // `npm run bench -- pool-cluster`: names after the options work like --only (a bench file's name or its section).
  allowPositionals: true,
});

const benchAliases: Record<string, string> = { 'pool-cluster': 'cluster' };
const named = positionals.map((name) => benchAliases[name] ?? name);
if (named.length > 0) args.only = [args.only, ...named].filter((name) => name !== undefined).join(',');
const only = new Set((args.only ?? 'throughput,lifecycle,pool,channels,fleet').split(',').map((s) => s.trim()));
const log = (line: string): void => console.log(line);

// Ctrl-C must not leave gateways behind: stop the ones this process started, by PID.
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.once(name, () => {
    log(`\n${name}: stopping what this run started`);
    void runCleanups().finally(() => process.exit(130));
  });
}

const startedAt = new Date();
const t0 = performance.now();
const machine = describeMachine();
log(
  `bench: ${machine.cpuCount} x ${machine.cpuModel}; host node ${machine.hostNode}, gateway node ${machine.gatewayNode}; load ${machine.loadAvg1m}`,
);

const record: RunRecord = { startedAt: startedAt.toISOString(), durationMs: 0, machine, loadAvg1mAfter: 0, files: [] };

if (only.has('throughput')) {
  log('bench 1: control-connection throughput');
  try {
    const { result, readyMs } = await throughput();
    record.throughput = result;
    record.gatewayReadyMs = readyMs;
  } catch (error) {
    record.throughputError = (error as Error).message;
    log(`  failed: ${record.throughputError}`);
  }
}

if (only.has('lifecycle')) {
  log('bench 2: lifecycle');
  try {
    record.lifecycle = await lifecycle();
  } catch (error) {
    record.lifecycleError = (error as Error).message;
    log(`  failed: ${record.lifecycleError}`);
  }
}

let poolResult: PoolBenchResult | undefined;
let poolError: string | undefined;
if (only.has('pool')) {
  log('bench 3: connection pool (10,000 users over 1,000 fake gateways)');
  try {
    poolResult = await runPoolBench({ ...defaultPoolBenchOptions, ...(args.quick ? { warmRounds: 1 } : {}), log });
  } catch (error) {
    poolError = (error as Error).message;
    log(`  failed: ${poolError}`);
  }
}

let channelResult: ChannelBenchResult | undefined;
let channelError: string | undefined;
if (only.has('channels')) {
  log('bench 5: channel accounts (10,000 in-process accounts, one actor each, against plain objects)');
  try {
    channelResult = await runChannelBench({ ...defaultChannelBenchOptions, ...(args.quick ? { accounts: 1_000 } : {}), log });
  } catch (error) {
    channelError = (error as Error).message;
    log(`  failed: ${channelError}`);
  }
}

let fleetResult: FleetBenchResult | undefined;
let fleetError: string | undefined;
if (only.has('fleet')) {
  log('bench 4: fleet client, persist then broadcast');
  try {
    fleetResult = await runFleetBench({ ...defaultFleetBenchOptions, ...(args.quick ? { rounds: 1 } : {}), log });
  } catch (error) {
    fleetError = (error as Error).message;
    log(`  failed: ${fleetError}`);
  }
}

let clusterResult: ClusterBenchResult | undefined;
let clusterError: string | undefined;
// Part of every full run; `--only cluster` runs it alone.
if (only.has('cluster') || args.only === undefined) {
  log('bench 6: clustered pool on a real redis-server (forwarded against local, failover, Redis return, device fence, Redis commands at 1,000 keys)');
  try {
    clusterResult = await runClusterBench({
      ...defaultClusterBenchOptions,
      ...(args.quick ? { requests: 200, failoverRuns: 2, redisReturnRuns: 2, fenceSamples: 5 } : {}),
      log,
    });
  } catch (error) {
    clusterError = (error as Error).message;
    log(`  failed: ${clusterError}`);
  }
}

record.durationMs = Math.round(performance.now() - t0);
record.loadAvg1mAfter = currentLoadAvg1m();

if (!args['no-write']) {
  await mkdir(resultsDir, { recursive: true });
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const common = { startedAt: record.startedAt, durationMs: record.durationMs, machine, loadAvg1mAfter: record.loadAvg1mAfter };
  if (record.throughput || record.throughputError) {
    const file = `throughput-${stamp}.json`;
    record.files.push(file);
    const body = {
      ...common,
      gatewayReadyMs: record.gatewayReadyMs,
      gatewaySettle: record.gatewaySettle,
      result: record.throughput,
      error: record.throughputError,
    };
    await writeFile(resultsDir + file, JSON.stringify(body, null, 2) + '\n');
  }
  if (record.lifecycle || record.lifecycleError) {
    const file = `lifecycle-${stamp}.json`;
    record.files.push(file);
    await writeFile(resultsDir + file, JSON.stringify({ ...common, result: record.lifecycle, error: record.lifecycleError }, null, 2) + '\n');
  }
  const extra: string[] = [];
  if (poolResult || poolError) {
    const file = `pool-${stamp}.json`;
    record.files.push(file);
    await writeFile(resultsDir + file, JSON.stringify({ ...common, result: poolResult, error: poolError }, null, 2) + '\n');
    extra.push(renderPoolMarkdown(poolResult, poolError));
  }
  if (channelResult || channelError) {
    const file = `channels-${stamp}.json`;
    record.files.push(file);
    await writeFile(resultsDir + file, JSON.stringify({ ...common, result: channelResult, error: channelError }, null, 2) + '\n');
    const section = renderChannelMarkdown(channelResult, channelError);
    extra.push(section);
    // Also on its own, so a run of this bench alone does not hide the others' latest figures.
    await writeFile(
      resultsDir + 'channels-latest.md',
      `# Channel accounts: latest run\n\nRun ${record.startedAt}; \`${file}\`; load average (1 min) ${machine.loadAvg1m} before, ${record.loadAvg1mAfter} after, on ${machine.cpuCount} cores shared with other work.\n\n${section.replace(/^## Channel accounts\n/, '')}`,
    );
  }
  if (fleetResult || fleetError) {
    const file = `fleet-${stamp}.json`;
    record.files.push(file);
    await writeFile(resultsDir + file, JSON.stringify({ ...common, result: fleetResult, error: fleetError }, null, 2) + '\n');
    extra.push(renderFleetMarkdown(fleetResult, fleetError));
  }
  if (clusterResult || clusterError) {
    const file = `cluster-${stamp}.json`;
    record.files.push(file);
    await writeFile(resultsDir + file, JSON.stringify({ ...common, result: clusterResult, error: clusterError }, null, 2) + '\n');
    extra.push(renderClusterMarkdown(clusterResult, clusterError));
  }
  const previous = await readFile(resultsDir + 'latest.md', 'utf8').catch(() => undefined);
  const runLine = `Run ${record.startedAt} (${record.files.map((f) => `\`${f}\``).join(', ')}); load average (1 min) ${machine.loadAvg1m} before, ${record.loadAvg1mAfter} after.`;
  await writeFile(resultsDir + 'latest.md', mergeLatest(previous, [renderMarkdown(record), ...extra].join('\n'), runLine));
  log(`wrote ${record.files.map((f) => 'bench/results/' + f).join(', ')} and bench/results/latest.md`);
}
log(`done in ${(record.durationMs / 1000).toFixed(0)} s`);

async function throughput(): Promise<{ result: ThroughputResult; readyMs: number }> {
  const launchedAt = performance.now();
  const gateway = await launchGateway();
  try {
    const readyMs = round(performance.now() - launchedAt, 1);
    // Right after hello-ok the gateway is still busy with startup work; measuring then would charge that
    // to whichever client runs first. Wait for its CPU to settle (a signal, not a fixed sleep).
    const settle = await waitForQuiet(gateway.pid);
    record.gatewaySettle = settle;
    log(
      `  gateway pid ${gateway.pid} ready in ${readyMs} ms; settled ${settle.quiet ? '' : 'NOT '}after ${settle.waitedMs} ms (${settle.lastCpuPct ?? '?'}% CPU)`,
    );
    const rounds = args.rounds ? Number(args.rounds) : args.quick ? 1 : defaultThroughputOptions.rounds;
    const windowDurationMs = args.quick ? 1_000 : defaultThroughputOptions.windowDurationMs;
    const result = await runThroughputBench(gateway, { ...defaultThroughputOptions, rounds, windowDurationMs, log });
    return { result, readyMs };
  } finally {
    await gateway.stop();
  }
}

function lifecycle(): Promise<LifecycleResult> {
  const iterations = args.iterations ? Number(args.iterations) : args.quick ? 1 : defaultLifecycleOptions.iterations;
  return runLifecycleBench({ ...defaultLifecycleOptions, iterations, log });
}

function renderPoolMarkdown(result: PoolBenchResult | undefined, error: string | undefined): string {
  if (!result) return `## Connection pool\n\nfailed: ${error ?? 'unknown'}\n`;
  const w = result.warmAcquire;
  const m = result.mapBaseline;
  return [
    '## Connection pool',
    '',
    `${result.users} users over ${result.gateways} fake gateways (a worker thread): **${result.socketsOpened} sockets opened** (goal ${result.gateways}); cold acquire of all ${result.coldAcquireAllMs} ms; heap +${result.heapDeltaMb} MB (${result.heapPerConnectionKb} KB per connection, GC ${result.gcExposed ? 'forced' : 'not forced'}).`,
    '',
    '| warm acquire (n) | p50 ms | p99 ms | max ms |',
    '| --- | --- | --- | --- |',
    `| pool.acquire (${w.n}) | ${w.p50Ms} | ${w.p99Ms} | ${w.maxMs} |`,
    `| Map lookup baseline (${m.n}) | ${m.p50Ms} | ${m.p99Ms} | ${m.maxMs} |`,
    '',
    `p99 ratio pool / Map: x${result.p99Ratio} (goal: pool p99 <= 1 ms).`,
    '',
  ].join('\n');
}

function renderFleetMarkdown(result: FleetBenchResult | undefined, error: string | undefined): string {
  if (!result) return `## Fleet client\n\nfailed: ${error ?? 'unknown'}\n`;
  return [
    '## Fleet client: persist then broadcast',
    '',
    `${result.events} gateway events per round, ${result.rounds} rounds, transactions of at most ${result.maxBatch}, SQLite WAL (synchronous NORMAL).`,
    '',
    '| path | events/s (median) |',
    '| --- | --- |',
    `| persisted (journal + view, de-duplicated) then broadcast | ${result.persistBroadcastPerSec} |`,
    `| raw inserts of the same rows, same batching (baseline) | ${result.rawInsertPerSec} |`,
    '',
    `ratio x${result.ratio} (goal: at least 5,000/s persisted then broadcast).`,
    '',
  ].join('\n');
}
