// Prints the top self-time frames of a .cpuprofile (Chrome/V8 format), for the closing note of a hot-path
// change: `tsx bench/profile-top.ts FILE [N]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/profile-top.ts FILE [N]');
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const byFrame = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(node_modules\/)?/, '') || '(native)';
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFrame.set(key, (byFrame.get(key) ?? 0) + (hits.get(node.id) ?? 0));
}
// Share of the busy samples: waiting (the gateway's start, the network) is not the client's cost.
const idle = [...byFrame].filter(([key]) => key.startsWith('(idle)')).reduce((n, [, hits]) => n + hits, 0);
const total = profile.samples.length - idle;
console.log(`${total} busy samples of ${profile.samples.length}`);
for (const [key, n] of [...byFrame]
  .filter(([key]) => !key.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
}
