// The handshake under a CPU profiler, without the process's start-up in it: one real gateway, one client
// (raw or ours) warmed by 1,000 calls, then N open/close cycles sampled by `node:inspector` every 50 µs.
// Prints the busy samples by source (XState, Node, our src, zod, GC, ...) and writes the profile for
// `tsx bench/profile-top.ts FILE`:
//   tsx bench/profile-handshake.ts [cycles] [raw|ours] [out.cpuprofile]   (PROF_US=20 samples every 20 µs)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { isGap, openClient, type ClientKind } from './support/clients.js';
import { launchGateway } from './support/gateways.js';
import { waitForQuiet } from './support/proc-cpu.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

const cycles = Number(process.argv[2] ?? 200);
const kind = (process.argv[3] ?? 'ours') as ClientKind;
const out = process.argv[4] ?? `bench/results/profiles/handshake-${kind}.cpuprofile`;

const gateway = await launchGateway();
const session = new Session();
session.connect();
try {
  await waitForQuiet(gateway.pid);
  const open = async () => {
    const client = await openClient(kind, gateway);
    if (isGap(client)) throw new Error(client.gap);
    return client;
  };
  const warm = await open();
  for (let i = 0; i < 1_000; i++) await warm.call('last-heartbeat', {});
  await warm.close();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROF_US ?? 50) });
  await session.post('Profiler.start');
  for (let i = 0; i < cycles; i++) await (await open()).close();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${kind}: ${cycles} cycles; profile in ${out}`);
  console.log(bySource(profile as unknown as { nodes: ProfileNode[]; samples: number[] }));
} finally {
  session.disconnect();
  await gateway.stop();
}

function bySource(profile: { nodes: ProfileNode[]; samples: number[] }): string {
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const totals = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const source = sourceOf(node.callFrame);
    if (source === 'idle') continue;
    const n = hits.get(node.id) ?? 0;
    busy += n;
    totals.set(source, (totals.get(source) ?? 0) + n);
  }
  const rows = [...totals].sort((a, b) => b[1] - a[1]).map(([source, n]) => `${((100 * n) / busy).toFixed(1).padStart(6)}%  ${source}`);
  return [`${busy} busy samples`, ...rows].join('\n');
}

function sourceOf({ functionName, url }: { functionName: string; url: string }): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (url.includes('/xstate/')) return 'xstate';
  if (url.includes('/zod/')) return 'zod';
  if (url.includes('/pino')) return 'pino';
  if (url.includes('/ws/')) return 'ws';
  if (url.includes('/src/')) return 'src';
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node';
  return url === '' ? 'native' : 'other';
}
