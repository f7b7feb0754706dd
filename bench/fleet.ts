// Bench 4: the fleet client's persist-then-broadcast path. A stream of gateway `agent` events goes through
// the same pipeline the client uses (identity, batching in transactions of `maxBatch`, the view, the
// journal, then the subscriber), into a real SQLite file in WAL mode; the baseline inserts the same rows into
// a bare table with the same batching, no de-duplication, no view, no broadcast, in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/adapters/store/index.js';
import { defaults } from '../src/machines/defaults.js';
import { eventChanges } from '../src/runtime/fleet-changes.js';
import { createFleetPipeline } from '../src/runtime/fleet-pipeline.js';
import { median, ratio } from './support/stats.js';

export interface FleetBenchOptions {
  events: number;
  rounds: number;
  log: (line: string) => void;
}

export const defaultFleetBenchOptions: Omit<FleetBenchOptions, 'log'> = { events: 50_000, rounds: 3 };

export interface FleetBenchResult {
  events: number;
  maxBatch: number;
  rounds: number;
  /** Median over rounds of events persisted then broadcast per second. */
  persistBroadcastPerSec: number;
  rawInsertPerSec: number;
  /** pipeline / raw. */
  ratio: number | null;
  perRound: Array<{ pipelinePerSec: number; rawPerSec: number }>;
}

export async function runFleetBench(options: FleetBenchOptions): Promise<FleetBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ocs-fleet-bench-'));
  const maxBatch = defaults.fleet.maxBatch;
  const perRound: FleetBenchResult['perRound'] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      // Alternate the order so drift on a shared machine falls on both.
      const pair = round % 2 === 0 ? [pipelineRun, rawRun] : [rawRun, pipelineRun];
      const measured: Record<string, number> = {};
      for (const run of pair) measured[run.name] = await run(join(dir, `${run.name}-${round}.db`), options.events, maxBatch);
      perRound.push({ pipelinePerSec: measured.pipelineRun!, rawPerSec: measured.rawRun! });
      options.log(`  round ${round + 1}: persisted then broadcast ${measured.pipelineRun}/s, raw inserts ${measured.rawRun}/s`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const persistBroadcastPerSec = median(perRound.map((r) => r.pipelinePerSec));
  const rawInsertPerSec = median(perRound.map((r) => r.rawPerSec));
  return {
    events: options.events,
    maxBatch,
    rounds: options.rounds,
    persistBroadcastPerSec,
    rawInsertPerSec,
    ratio: ratio(persistBroadcastPerSec, rawInsertPerSec),
    perRound,
  };
}

/** Events in, subscriber out: resolves when the subscriber has heard the last one. */
async function pipelineRun(path: string, events: number, maxBatch: number): Promise<number> {
  const store = openSqliteStore({ path, journalLimit: defaults.fleet.journalLimit });
  let heard = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const pipeline = createFleetPipeline({
    store,
    maxBatch,
    onEntries: (entries) => {
      heard += entries.length;
      if (heard >= events) done();
    },
    onFailure: (error) => {
      throw error;
    },
  });
  const started = performance.now();
  // As a socket delivers them: bursts of 64 frames per read, each event turned into its change.
  for (let seq = 1; seq <= events;) {
    for (let i = 0; i < 64 && seq <= events; i++, seq++) {
      pipeline.ingest(eventChanges('agent', { runId: 'bench', seq, stream: 'assistant', data: { text: 'token' } }, seq, 'conn-bench'));
    }
    await new Promise((r) => setImmediate(r));
  }
  pipeline.flush();
  await finished;
  const perSec = Math.round(events / ((performance.now() - started) / 1_000));
  store.close();
  return perSec;
}

/** The same rows, inserted bare with the same batching. */
async function rawRun(path: string, events: number, maxBatch: number): Promise<number> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE raw (seq INTEGER PRIMARY KEY, identity TEXT, kind TEXT, id TEXT, op TEXT, data TEXT, at INTEGER)');
  const insert = db.prepare('INSERT INTO raw (identity, kind, id, op, data, at) VALUES (?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((rows: Array<[string, string, string, string, string, number]>) => {
    for (const row of rows) insert.run(...row);
  });
  const started = performance.now();
  let rows: Array<[string, string, string, string, string, number]> = [];
  for (let seq = 1; seq <= events; seq++) {
    const payload = { runId: 'bench', seq, stream: 'assistant', data: { text: 'token' } };
    rows.push([`agent:bench:${seq}`, 'agent', 'bench', 'event', JSON.stringify(payload), Date.now()]);
    if (rows.length >= maxBatch) {
      batch(rows);
      rows = [];
    }
  }
  batch(rows);
  const perSec = Math.round(events / ((performance.now() - started) / 1_000));
  db.close();
  return perSec;
}
