// README's main job, end to end: `openclaw-supervisor run --json` supervises a real gateway, prints the
// startup phases and the inspector URL, and on SIGINT stops with exit 0 and no gateway process left.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
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
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: Array<{ type: string; elapsedMs: number; text: string; url?: string; status?: { pid?: number } }> = [];
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const ready = new Promise<void>((resolveReady, rejectReady) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as (typeof lines)[number];
        lines.push(parsed);
        if (parsed.type === 'ready') resolveReady();
        if (parsed.type === 'error') rejectReady(new Error(line));
      });
      void exited.then(() => rejectReady(new Error(`exited before ready: ${stderr}`)));
    });
    try {
      await ready;
      const kinds = lines.map((l) => l.type);
      const order = ['spawned', 'listening', 'challenge', 'ready'].map((k) => kinds.indexOf(k));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      const elapsed = lines.map((l) => l.elapsedMs);
      expect([...elapsed].sort((a, b) => a - b)).toEqual(elapsed);

      const inspectorUrl = lines.find((l) => l.type === 'inspector')?.url;
      expect(inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const machines = await getJson(`${inspectorUrl}api/machines`);
      expect((machines as Array<{ systemId?: string }>).map((m) => m.systemId)).toEqual(
        expect.arrayContaining(['gateway:default', 'refresh:default']),
      );

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
    // The token is never printed.
    expect(JSON.stringify(lines) + stderr).not.toContain(TOKEN);
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
