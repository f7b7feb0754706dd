// The guard that SIGKILLs owned gateways when the host goes away: it must leave nothing on `process`
// once released, and it must run when the host dies from a signal it does not handle itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { guardHostExit } from '../../src/adapters/process/host-exit-guard.js';

const WATCHED = ['exit', 'SIGTERM', 'SIGINT', 'SIGHUP'] as const;
// tsx compiles the fixture on start; a loaded 2-core machine needs a few seconds.
const READY_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5_000;

const counts = (): number[] => WATCHED.map((event) => process.listenerCount(event));

describe('host exit guard', () => {
  it('leaves no listener on process once every registration is released', () => {
    const baseline = counts();
    const emit = process.emit;
    const releaseA = guardHostExit(() => {});
    const releaseB = guardHostExit(() => {});
    // While held it listens for the fatal signals (one set of listeners for any number of guards).
    expect(process.listenerCount('SIGTERM')).toBe(baseline[1]! + 1);
    releaseA();
    releaseA();
    expect(process.listenerCount('SIGTERM')).toBe(baseline[1]! + 1);
    releaseB();
    expect(counts()).toEqual(baseline);
    expect(process.emit).toBe(emit);
  });
});

describe('host exit guard in a host process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // A host that registers one guard writing a marker file, optionally with its own SIGTERM handler.
  async function startHost(
    ownHandler: boolean,
  ): Promise<{ child: ChildProcess; marker: string; exited: Promise<{ code: number | null; signal: string | null }> }> {
    const dir = mkdtempSync(join(tmpdir(), 'ocs-exit-guard-'));
    dirs.push(dir);
    const marker = join(dir, 'killed');
    const script = join(dir, 'host.mts');
    const guard = pathToFileURL(resolve('src/adapters/process/host-exit-guard.ts')).href;
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';
import { guardHostExit } from ${JSON.stringify(guard)};
guardHostExit(() => writeFileSync(${JSON.stringify(marker)}, 'killNow ran'));
${ownHandler ? `process.on('SIGTERM', () => { writeFileSync(${JSON.stringify(`${marker}.handler`)}, ''); process.exit(0); });` : ''}
setInterval(() => {}, 60_000);
process.stdout.write('ready\\n');
`,
    );
    // node --import tsx, not the tsx binary: the binary runs the script in a second process and relays
    // SIGTERM through a handler of its own, which would hide exactly what this test looks at.
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((done) => child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && done()));
    const outcome = await Promise.race([ready.then(() => 'ready'), exited.then(() => 'exited'), sleep(READY_TIMEOUT_MS, 'timeout')]);
    if (outcome !== 'ready') throw new Error(`host fixture ${outcome} before it was ready: ${stderr}`);
    return { child, marker, exited };
  }

  const exitWithin = <T>(exited: Promise<T>): Promise<T | 'still running'> =>
    Promise.race([exited, sleep(EXIT_TIMEOUT_MS, 'still running' as const)]);

  it('runs when the host is killed by a SIGTERM it does not handle, and the host still dies by that signal', async () => {
    const { child, marker, exited } = await startHost(false);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitWithin(exited)).toEqual({ code: null, signal: 'SIGTERM' });
    expect(readFileSync(marker, 'utf8')).toBe('killNow ran');
  }, 30_000);

  it('leaves a SIGTERM the host handles to the host, and runs at the exit that follows', async () => {
    const { child, marker, exited } = await startHost(true);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exitWithin(exited)).toEqual({ code: 0, signal: null });
    expect(existsSync(`${marker}.handler`)).toBe(true);
    expect(readFileSync(marker, 'utf8')).toBe('killNow ran');
  }, 30_000);
});
