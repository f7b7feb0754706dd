// Start-up faults against the real gateway: an invalid config (exit 78, one doctor run), a port held by
// something that is not a gateway, and `auto` adopting a gateway that is already running.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gatewayPaths } from '../../src/adapters/process/embedding-env.js';
import { createGatewaySupervisor, type GatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from '../support/free-port.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';
import { connectOnce, RUNTIME_ENTRY, RUNTIME_NODE, startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { recordEvents } from '../support/supervisor-probe.js';

const dirs: string[] = [];
const supervisors: GatewaySupervisor[] = [];
let gateway: RealGateway | undefined;
let listener: Server | undefined;
const sockets = new Set<Socket>();

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocs-faults-'));
  dirs.push(dir);
  return dir;
}

function managed(options: Record<string, unknown>, inspect?: ReturnType<typeof recordEvents>['inspect']): GatewaySupervisor {
  const s = createGatewaySupervisor({
    mode: 'managed',
    nodePath: RUNTIME_NODE,
    openclawEntry: RUNTIME_ENTRY,
    skipChannels: true,
    logger: silentLogger,
    ...options,
    ...(inspect ? { inspect } : {}),
  } as Parameters<typeof createGatewaySupervisor>[0]);
  supervisors.push(s);
  return s;
}

afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.dispose();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
  listener = undefined;
});

afterAll(async () => {
  await gateway?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('start-up faults (real gateway)', () => {
  it('an invalid config exits 78, doctor runs once against the same state dir, then the gateway runs', async () => {
    const stateDir = await scratchDir();
    const paths = gatewayPaths(stateDir);
    await writeFile(paths.configPath, JSON.stringify({ logging: { file: paths.logFile }, notAKey: true, gateway: { bogus: 1 } }));
    const rec = recordEvents();
    const supervisor = managed({ stateDir, port: await freePort() }, rec.inspect);
    const phases: string[] = [];
    supervisor.on('status', (s: SupervisorStatus) => phases.push(`${s.state}:${s.phase ?? ''}`));
    const outcome = await supervisor.start().then(
      (s) => ({ ok: true as const, s }),
      (e: { code: string; details: Record<string, unknown> }) => ({ ok: false as const, e }),
    );
    const exits = rec.events.filter((e) => e.type === 'process.exited') as unknown as Array<{ code: number | null }>;
    expect(exits[0]?.code).toBe(78);
    expect(rec.events.filter((e) => e.type === 'xstate.done.actor.doctor')).toHaveLength(1);
    expect(phases).toContain('starting:repairing');
    if (outcome.ok) {
      expect(outcome.s.state).toBe('running');
      expect(await supervisor.request('health')).toBeTruthy();
    } else {
      expect(outcome.e).toMatchObject({ code: 'GATEWAY_CONFIG_INVALID', details: { reason: 'config-invalid', exitCode: 78 } });
    }
    await supervisor.stop();
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  }, 300_000);

  it('a config doctor cannot repair ends in GATEWAY_CONFIG_INVALID with the exit code and stderr, after one doctor run', async () => {
    const stateDir = await scratchDir();
    const paths = gatewayPaths(stateDir);
    await writeFile(paths.configPath, JSON.stringify({ logging: { file: paths.logFile }, gateway: { port: 'not a port' } }));
    const rec = recordEvents();
    const supervisor = managed({ stateDir, port: await freePort() }, rec.inspect);
    const error = await supervisor.start().then(
      () => undefined,
      (e: { code: string; details: Record<string, unknown> }) => e,
    );
    expect(error).toMatchObject({ code: 'GATEWAY_CONFIG_INVALID', details: { reason: 'config-invalid', exitCode: 78 } });
    expect((error?.details.stderrTail as string[]).join('\n')).toMatch(/gateway\.port/);
    expect(rec.events.filter((e) => e.type === 'xstate.done.actor.doctor')).toHaveLength(1);
    expect(supervisor.getStatus()).toMatchObject({ state: 'error', error: { code: 'GATEWAY_CONFIG_INVALID' } });
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  }, 300_000);

  it('a port held by a plain TCP listener fails fast with PORT_IN_USE and spawns nothing', async () => {
    const port = await freePort();
    // A plain TCP service that reads and ignores: it never speaks WebSocket, never greets.
    listener = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => listener!.listen(port, '127.0.0.1', () => r()));
    const stateDir = await scratchDir();
    const supervisor = managed({ stateDir, port });
    const seenPids: number[] = [];
    supervisor.on('status', (s: SupervisorStatus) => s.pid !== undefined && seenPids.push(s.pid));
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(supervisor.getStatus().state).toBe('error');
    // Nothing was spawned: the gateway's own 22 s of bind retries never started.
    expect(seenPids).toEqual([]);
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  });

  it('auto adopts a gateway already answering the challenge, and leaves it running on stop', async () => {
    gateway = await startRealGateway();
    const stateDir = await scratchDir();
    const supervisor = managed({ mode: 'auto', stateDir, port: gateway.port, token: gateway.token });
    const status = await supervisor.start();
    expect(status).toMatchObject({ state: 'running', mode: 'auto', owned: false });
    expect(status.pid).toBeUndefined();
    expect(await supervisor.request('health')).toBeTruthy();
    await supervisor.stop();
    expect(isAlive(gateway.pid)).toBe(true);
    const attempt = await connectOnce(gateway.url, gateway.token);
    expect(attempt.kind).toBe('hello');
  });
});
