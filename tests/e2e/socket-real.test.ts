// The gatewaySocket actor and rpc channel against the real OpenClaw gateway (Node 24 from runtime/):
// token-only handshake and a request, then device identity, its issued device token, and the reconnect
// that authenticates by it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity, type GatewaySocketDeps, type RpcChannel, type SocketCredentials } from '../../src/adapters/websocket/index.js';
import type { SocketSignal } from '../../src/contracts/index.js';
import { runSocketActor, type SocketActorHarness, socketLogic } from '../support/fake-gateway.js';
import { testRpcChannel } from '../support/rpc-channel.js';

const RUNTIME = resolve(import.meta.dirname, '../../runtime/node_modules');
const NODE24 = join(RUNTIME, '.bin/node');
const OPENCLAW = join(RUNTIME, 'openclaw/openclaw.mjs');
const TOKEN = `real-token-${process.pid}-${Date.now().toString(36)}`;
const STARTUP_BUDGET_MS = 90_000;

let home: string;
let child: ChildProcess | undefined;
let url: string;
const output: string[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'ocs-real-gateway-'));
  const port = await freePort();
  url = `ws://127.0.0.1:${port}/`;
  child = spawn(NODE24, [OPENCLAW, 'gateway', '--port', String(port), '--token', TOKEN, '--allow-unconfigured', '--bind', 'loopback'], {
    env: {
      ...process.env,
      HOME: home,
      OPENCLAW_DISABLE_BONJOUR: '1',
      OPENCLAW_NO_RESPAWN: '1',
      OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
      OPENCLAW_SKIP_CHANNELS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitForChallenge(child, url);
}, STARTUP_BUDGET_MS + 10_000);

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    // The spawn-broker runs in its own process group: find the gateway's children before it goes away.
    const children = childPids(child.pid);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  rmSync(home, { recursive: true, force: true });
}, 30_000);

describe('gatewaySocket against the real gateway', () => {
  it('reaches hello-ok with the token only and carries health through the rpc channel', async () => {
    const rpc = testRpcChannel();
    const { harness, hello } = await connectUntilHello(rpc, () => ({ token: TOKEN }));
    try {
      expect(hello.hello).toMatchObject({ protocol: 4, authMethod: 'token', role: 'operator', scopes: ['operator.admin'] });
      expect(hello.hello.methodCount).toBeGreaterThan(10);
      expect(hello.hello.bootId.length).toBeGreaterThan(0);
      const health = await rpc.request('health', undefined, { timeoutMs: 15_000 });
      expect(health).toEqual(expect.objectContaining({}));
      const heartbeats = await Promise.all(Array.from({ length: 50 }, () => rpc.request('last-heartbeat')));
      expect(heartbeats).toHaveLength(50);
    } finally {
      harness.stop();
    }
  }, 60_000);

  it('gets a device token for a device identity and authenticates by it on the next connect', async () => {
    const identity = loadOrCreateDeviceIdentity(join(home, 'supervisor', 'device.json'));
    const credentials = (): SocketCredentials => ({ token: TOKEN, deviceIdentity: identity });
    const rpc = testRpcChannel();

    const first = await connectUntilHello(rpc, credentials);
    first.harness.stop();
    expect(first.hello.hello.authMethod).toBe('token');
    expect(identity.deviceToken).toEqual(expect.any(String));
    expect(JSON.stringify(first.harness.signals)).not.toContain(identity.deviceToken!);

    const second = await connectUntilHello(rpc, credentials, 100);
    try {
      expect(second.hello.hello.authMethod).toBe('device-token');
      await expect(rpc.request('status', undefined, { timeoutMs: 15_000 })).resolves.toBeDefined();
    } finally {
      second.harness.stop();
    }
  }, 60_000);
});

/**
 * Runs the actor until hello-ok. While the gateway finishes its startup sidecars it refuses `connect`
 * with a retryable UNAVAILABLE and `retryAfterMs`; that is the one refusal retried here, as the
 * connection machine would.
 */
async function connectUntilHello(
  rpc: RpcChannel,
  credentials: () => SocketCredentials,
  firstEpoch = 1,
): Promise<{ harness: SocketActorHarness; hello: Extract<SocketSignal, { type: 'socket.hello' }> }> {
  const deps: GatewaySocketDeps = {
    url,
    credentials,
    client: { version: '0.1.0-test', platform: 'linux' },
    rpc,
    onEvent: () => {},
    connectTimeoutMs: 20_000,
  };
  for (let epoch = firstEpoch; epoch < firstEpoch + 40; epoch++) {
    const harness = runSocketActor(socketLogic(deps), epoch);
    const outcome = await Promise.race([harness.waitFor('socket.hello'), harness.waitFor('socket.closed')]);
    if (outcome.type === 'socket.hello') return { harness, hello: outcome };
    harness.stop();
    const refused = harness.signals.find((s) => s.type === 'socket.refused');
    if (refused?.type !== 'socket.refused' || refused.error.retryable !== true) {
      throw new Error(`handshake ended with ${JSON.stringify(harness.signals)}; gateway output:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, refused.error.retryAfterMs ?? 500));
  }
  throw new Error('the gateway kept refusing connect');
}

/** Polls a WebSocket connect until the gateway sends `connect.challenge` (it listens 10-13 s after spawn). */
async function waitForChallenge(gateway: ChildProcess, target: string): Promise<void> {
  const deadline = Date.now() + STARTUP_BUDGET_MS;
  while (Date.now() < deadline) {
    if (gateway.exitCode !== null || gateway.signalCode !== null) {
      throw new Error(`gateway exited (${gateway.exitCode ?? gateway.signalCode}) before listening:\n${output.join('')}`);
    }
    if (await challengeArrives(target)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no connect.challenge within ${STARTUP_BUDGET_MS} ms:\n${output.join('')}`);
}

function challengeArrives(target: string): Promise<boolean> {
  return new Promise((resolveAttempt) => {
    const ws = new WebSocket(target);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolveAttempt(ok);
    };
    const timer = setTimeout(() => done(false), 2_000);
    ws.on('message', (data) => done(String(data).includes('"connect.challenge"')));
    ws.on('error', () => done(false));
    ws.on('close', () => done(false));
  });
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
