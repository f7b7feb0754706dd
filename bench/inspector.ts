// Bench 6: what inspection costs. The same event stream goes through the pure refresh machine three
// ways in one run: with no inspector (the baseline), with the inspector attached (records built,
// sanitised, kept, streamed to no client), and with the inspector also writing the trace file. Then the
// chart layout time of every machine (elkjs, once per machine definition) and the replay speed of a
// recorded trace. Results: bench/results/inspector-<ISO date>.json and a printed table.
//
//   tsx bench/inspector.ts [--events N] [--rounds N] [--no-write]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createActor, createEmptyActor, type InspectionEvent } from 'xstate';
import { startInspector } from '../src/inspector/index.js';
import { describeMachine } from '../src/inspector/machine-graph.js';
import { layoutStatechart } from '../src/inspector/statechart-layout.js';
import { allMachines, refreshMachine } from '../src/machines/index.js';
import { replayTrace } from '../src/testing/index.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    'no-write': { type: 'boolean', default: false },
  },
});
const events = Number(args.events);
const rounds = Number(args.rounds);
const STATES = ['starting', 'running', 'reconnecting', 'running'] as const;

async function drive(inspect: ((e: InspectionEvent) => void) | undefined): Promise<number> {
  const actor = createActor(refreshMachine, { input: { supervisor: createEmptyActor() }, ...(inspect ? { inspect } : {}) }).start();
  const t = performance.now();
  for (let i = 0; i < events; i++) actor.send({ type: 'gateway.state', value: STATES[i % STATES.length]! });
  const ms = performance.now() - t;
  actor.stop();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = await mkdtemp(join(tmpdir(), 'ocs-bench-inspector-'));
const runs = { baseline: [] as number[], inspector: [] as number[], recording: [] as number[] };
let heapRecordsMb = 0;
for (let r = 0; r < rounds; r++) {
  runs.baseline.push(await drive(undefined));
  const live = await startInspector({ historyLimit: events * 4 });
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  runs.inspector.push(await drive((e) => live.observe(e)));
  heapRecordsMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
  await live.close();
  const recording = await startInspector({ recordFile: join(dir, `trace-${r}.jsonl`) });
  runs.recording.push(await drive((e) => recording.observe(e)));
  await recording.close();
}
const perSecond = (ms: number) => Math.round((events / ms) * 1000);
const throughput = {
  events,
  rounds,
  baselineEventsPerS: perSecond(median(runs.baseline)),
  inspectorEventsPerS: perSecond(median(runs.inspector)),
  recordingEventsPerS: perSecond(median(runs.recording)),
  inspectorOverBaseline: Math.round((median(runs.inspector) / median(runs.baseline)) * 100) / 100,
  recordingOverBaseline: Math.round((median(runs.recording) / median(runs.baseline)) * 100) / 100,
  heapForRecordsMb: Math.round(heapRecordsMb * 10) / 10,
};

const layouts: Record<string, { states: number; ms: number }> = {};
for (const [name, machine] of Object.entries(allMachines)) {
  const definition = describeMachine(machine);
  const t = performance.now();
  const layout = await layoutStatechart(definition);
  layouts[name] = { states: layout.nodes.length, ms: Math.round(performance.now() - t) };
}

const trace = await readFile(join(dir, 'trace-0.jsonl'), 'utf8');
const t = performance.now();
const replay = replayTrace(refreshMachine, trace);
const replayMs = performance.now() - t;
const replayResult = {
  steps: replay.steps.length,
  diverged: replay.divergence !== undefined,
  stepsPerS: Math.round((replay.steps.length / replayMs) * 1000),
};
await rm(dir, { recursive: true, force: true });

const result = { startedAt: new Date().toISOString(), node: process.version, throughput, layouts, replay: replayResult };
console.log(JSON.stringify(result, null, 2));
if (!args['no-write']) {
  const file = fileURLToPath(new URL(`./results/inspector-${result.startedAt.replace(/[:.]/g, '-')}.json`, import.meta.url));
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
}
