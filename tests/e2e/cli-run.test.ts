// README's main job, end to end: `openclaw-supervisor run --json` supervises a real gateway, prints the
// startup phases and the inspector URL, and on SIGINT stops with exit 0 and no gateway process left.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunLines } from '../support/run-lines.js';
import { freePort } from '../support/free-port.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOKEN = `cli-test-${Math.random().toString(36).slice(2)}`;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}
let stateDir: string | undefined;

afterAll(async () => {
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('openclaw-supervisor run', () => {
  it('prints spawned, listening, challenge and ready with elapsed time, serves the inspector, answers `status`, and stops cleanly on SIGINT', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'ocs-cli-'));
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repo, 'src/cli/main.ts'),
        'run',
        '--json',
        '--port',
        String(port),
        '--token',
        TOKEN,
        '--state-dir',
        stateDir,
        '--resolve-from',
        join(repo, 'runtime'),
        '--record',
        join(stateDir, 'trace.jsonl'),
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const { lines, ready, stderr } = readRunLines<{ type: string; elapsedMs: number; text: string; url?: string; status?: { pid?: number } }>(
      child,
      exited,
    );
    try {
      await ready;
      const kinds = lines.map((l) => l.type);
      const order = ['spawned', 'listening', 'challenge', 'ready'].map((k) => kinds.indexOf(k));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      const elapsed = lines.map((l) => l.elapsedMs);
      expect([...elapsed].sort((a, b) => a - b)).toEqual(elapsed);

      const inspectorUrl = lines.find((l) => l.type === 'inspector')?.url;
      // The page's URL carries the per-run key; without it the inspector answers 403.
      expect(inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?key=[\w-]{16,}$/);
      const key = new URL(inspectorUrl!).searchParams.get('key');
      const machines = await getJson(new URL(`/api/machines?key=${key}`, inspectorUrl).href);
      // The gateway's chart; its refresh child is spawned by the first restart or reload, none here.
      expect((machines as Array<{ systemId?: string }>).map((m) => m.systemId)).toEqual(expect.arrayContaining(['gateway:default']));

      // `status` is a second, one-shot client of the same gateway.
      const status = await runCli(['status', '--attach', `ws://127.0.0.1:${port}`, '--token', TOKEN, '--json']);
      expect(status.code).toBe(0);
      const report = JSON.parse(status.stdout) as { supervisor: { state: string; owned: boolean }; health: unknown; status: unknown };
      expect(report.supervisor).toMatchObject({ state: 'running', owned: false });
      expect(report.health).toBeTruthy();
      expect(report.status).toBeTruthy();
      expect(status.stdout + status.stderr).not.toContain(TOKEN);

      const pid = lines.find((l) => l.type === 'spawned')?.status?.pid;
      expect(pid && isAlive(pid)).toBe(true);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(lines.at(-1)?.type).toBe('stopped');
      expect(isAlive(pid!)).toBe(false);
      expect(listGatewayProcesses(stateDir)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // The token is never printed, nor recorded; the trace is versioned JSON lines from the system's first event.
    expect(JSON.stringify(lines) + stderr()).not.toContain(TOKEN);
    const trace = (await readFile(join(stateDir, 'trace.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(trace[0]).toMatchObject({ v: 1, kind: 'header' });
    expect(trace.every((r) => r.v === 1)).toBe(true);
    expect(trace.find((r) => r.kind === 'snapshot' && r.systemId === 'gateway:default')?.eventType).toBe('xstate.init');
    expect(JSON.stringify(trace)).not.toContain(TOKEN);
  });
});

function getJson(url: string): Promise<unknown> {
  return new Promise((resolveJson, reject) => {
    request(url, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolveJson(JSON.parse(body)));
    })
      .on('error', reject)
      .end();
  });
}
