// Spawns and stops a real OpenClaw gateway for the benchmarks, the way the preamble and
// docs/gateway/embedding.md describe: Node 24 from runtime/, a private HOME per gateway, the embedding
// env. Stopping goes by PID only: the gateway first, then the spawn-broker child it starts in its own
// session and process group (a group kill would miss it), found with `ps --ppid` while the parent lives.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { registerCleanup } from './cleanup.js';

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Node >= 24 executable shipped in runtime/ for the gateway (the host runs Node 20). */
export const gatewayNodePath = join(repoRoot, 'runtime/node_modules/.bin/node');
/** The gateway's CLI entry. */
export const openclawEntry = join(repoRoot, 'runtime/node_modules/openclaw/openclaw.mjs');

/** The embedding preset; SKIP_CHANNELS because no benchmark exercises a channel. */
export const embeddingEnv: Readonly<Record<string, string>> = {
  OPENCLAW_DISABLE_BONJOUR: '1',
  OPENCLAW_NO_RESPAWN: '1',
  OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
  OPENCLAW_SKIP_CHANNELS: '1',
};

export interface SpawnedGateway {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  readonly stateDir: string;
  /** `performance.now()` just before spawn(). */
  readonly spawnedAtMs: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last output lines, for a failure message. */
  outputTail(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; then the broker child; then the state dir. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnGatewayOptions {
  port?: number;
  token?: string;
  /** A fresh private dir under os.tmpdir() when absent; removed by stop() only when created here. */
  stateDir?: string;
}

/** Spawns a gateway and returns at once; readiness is the caller's to wait for (a hello-ok). */
export async function spawnGateway(options: SpawnGatewayOptions = {}): Promise<SpawnedGateway> {
  const port = options.port ?? (await freePort());
  const token = options.token ?? randomBytes(18).toString('base64url');
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await makeStateDir());
  const args = [openclawEntry, 'gateway', '--port', String(port), '--token', token, '--allow-unconfigured', '--bind', 'loopback'];
  const spawnedAtMs = performance.now();
  const child = spawn(gatewayNodePath, args, {
    env: { ...process.env, ...embeddingEnv, HOME: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = captureTail(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn the gateway with ${gatewayNodePath}`);
  const stop = async (graceMs = 5_000): Promise<void> => {
    unregister();
    await stopProcessTree(pid, exited, graceMs);
    if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(() => stop(1_000));
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    token,
    pid,
    stateDir,
    spawnedAtMs,
    exited,
    outputTail: () => [...tail],
    stop,
  };
}

/** Stops `pid` (SIGTERM, grace, SIGKILL) and any direct children it had, each by its own PID. */
export async function stopProcessTree(
  pid: number,
  exited: Promise<unknown> | undefined,
  graceMs = 5_000,
): Promise<void> {
  const children = await childPids(pid);
  const gone = exited ?? waitForPidGone(pid, graceMs + 2_000);
  if (signal(pid, 'SIGTERM')) {
    if (!(await within(gone, graceMs))) {
      signal(pid, 'SIGKILL');
      await within(gone, 2_000);
    }
  }
  for (const childPid of children) {
    // The broker exits by itself ~1.7 s after its parent (openclaw-facts); do not wait for that.
    if (signal(childPid, 'SIGTERM') && !(await within(waitForPidGone(childPid, 2_000), 2_000))) signal(childPid, 'SIGKILL');
  }
}

/** Direct children of `pid`, as `ps` lists them now. */
export function childPids(pid: number): Promise<number[]> {
  return new Promise((done) => {
    execFile('ps', ['-o', 'pid=', '--ppid', String(pid)], (error, stdout) => {
      if (error) return done([]);
      done(stdout.split('\n').map((s) => Number.parseInt(s.trim(), 10)).filter((n) => Number.isInteger(n) && n > 0));
    });
  });
}

/** A free loopback TCP port, found by binding port 0. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** A fresh private state dir (the gateway's HOME) under os.tmpdir(). */
export function makeStateDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'oc-bench-'));
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

async function waitForPidGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function within(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((done) => (timer = setTimeout(() => done(false), timeoutMs)));
  const result = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

function captureTail(child: ChildProcess, maxLines = 40): string[] {
  const lines: string[] = [];
  const take = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > maxLines) lines.shift();
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return lines;
}
