// Reads `openclaw-supervisor run --json` from a child process: every line parsed, in order, and a promise
// that settles at the first `ready` line, an `error` line, or the child's exit (with its stderr).
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

export interface RunLines<L> {
  readonly lines: L[];
  readonly ready: Promise<void>;
  stderr(): string;
}

export function readRunLines<L extends { type: string }>(child: { stdout: Readable; stderr: Readable }, exited: Promise<unknown>): RunLines<L> {
  const lines: L[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as L;
      lines.push(parsed);
      if (parsed.type === 'ready') resolveReady();
      if (parsed.type === 'error') rejectReady(new Error(line));
    });
    void exited.then(() => rejectReady(new Error(`exited before ready: ${stderr}`)));
  });
  return { lines, ready, stderr: () => stderr };
}
