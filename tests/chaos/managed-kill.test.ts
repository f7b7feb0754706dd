// The chaos tier, managed mode, on one state dir: the token stays out of the child's argv and is kept in
// the state dir (0600) where `status --state-dir` and the gateway's Control UI page find it; SIGKILL at
// random moments, mid-start too, brings it back each time with never two owned gateway processes; a stop
// leaves nothing; and a second supervisor on the same state dir keeps the token.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gatewayPaths, readStateDirToken } from '../../src/adapters/process/embedding-env.js';
import { readCmdline } from '../../src/adapters/process/process-table.js';
import { parseCliArgs } from '../../src/cli/args.js';
import { runStatusCommand } from '../../src/cli/status-command.js';
import { createGatewaySupervisor, type GatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from '../support/free-port.js';
import { monitorOwnedGateways, type OwnedProcessMonitor } from '../support/owned-process-monitor.js';
import { listGatewayProcesses } from '../support/process-tree.js';
import { RUNTIME_ENTRY, RUNTIME_NODE } from '../support/real-gateway.js';
import { waitForStatus } from '../support/supervisor-probe.js';

const READY_MS = 90_000;
let stateDir: string;
let port: number;
const supervisors: GatewaySupervisor[] = [];
let monitor: OwnedProcessMonitor | undefined;

function managed(): GatewaySupervisor {
  const supervisor = createGatewaySupervisor({
    mode: 'managed',
    stateDir,
    port,
    nodePath: RUNTIME_NODE,
    openclawEntry: RUNTIME_ENTRY,
    skipChannels: true,
    logger: silentLogger,
    // Several kills in a row during startup must not exhaust the crash budget.
    crash: { maxAttempts: 10 },
    reconnect: { initialDelayMs: 200, maxDelayMs: 2_000 },
  });
  supervisors.push(supervisor);
  return supervisor;
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'ocs-chaos-'));
  port = await freePort();
});

afterAll(async () => {
  monitor?.stop();
  for (const s of supervisors) await s.dispose();
  await rm(stateDir, { recursive: true, force: true });
});

describe('managed gateway under SIGKILL, with its token kept private', () => {
  let token: string | undefined;

  it('keeps the token out of argv, in the 0600 config, where status --state-dir and the Control UI find it', async () => {
    const supervisor = managed();
    const status = await supervisor.start();
    const pid = status.pid as number;
    token = await readStateDirToken(stateDir);
    expect(token).toMatch(/^[\w-]{20,}$/);
    const cmdline = (readCmdline(pid) ?? []).join(' ');
    expect(cmdline).toContain('gateway');
    expect(cmdline).not.toContain(token as string);
    expect(cmdline).not.toContain('--token');
    expect((await stat(gatewayPaths(stateDir).configPath)).mode & 0o777).toBe(0o600);

    // The gateway's own Control UI page answers on the same port.
    const page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    // `status --state-dir DIR --port N` connects with the kept token and prints health and status.
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(
        await runStatusCommand(parseCliArgs(['status', '--state-dir', stateDir, '--port', String(port), '--json', '--log-level', 'silent'])),
      ).toBe(0);
    } finally {
      write.mockRestore();
    }
    const out = JSON.parse(written.join('')) as { supervisor: { state: string }; health: unknown };
    expect(out.supervisor.state).toBe('running');
    expect(out.health).toBeDefined();
    expect(written.join('')).not.toContain(token as string);
  });

  it('a second supervisor on the same state dir keeps the token; SIGKILL at random moments, mid-start too: back to running each time, never two owned gateways, nothing left after stop', async () => {
    await (supervisors[0] as GatewaySupervisor).stop();
    expect(listGatewayProcesses(stateDir)).toEqual([]);

    const supervisor = managed();
    const first = await supervisor.start();
    expect(first.connection?.auth?.method).toBe('token');
    expect(await readStateDirToken(stateDir)).toBe(token);

    monitor = monitorOwnedGateways(supervisor, stateDir);
    const killed: number[] = [];
    const kill = () => {
      const pid = supervisor.getStatus().pid;
      if (pid === undefined || killed.includes(pid)) return false;
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
      return true;
    };
    // While running, after a random pause.
    await sleep(Math.floor(Math.random() * 2_000));
    expect(kill()).toBe(true);
    // Twice mid-start: at a random moment after the respawned child got its pid, before it serves.
    for (let i = 0; i < 2; i++) {
      await waitForStatus(supervisor, (s) => s.state === 'starting' && s.pid !== undefined && !killed.includes(s.pid), 30_000, 'a respawned child');
      await sleep(Math.floor(Math.random() * 3_000));
      if (supervisor.getStatus().state !== 'running') kill();
    }
    const back = await waitForStatus(supervisor, (s) => s.state === 'running' && !killed.includes(s.pid as number), READY_MS, 'running again');
    expect(killed.length).toBeGreaterThanOrEqual(2);
    expect(back.crashCount).toBeGreaterThan(0);
    expect(monitor.maxAlive()).toBeLessThanOrEqual(1);

    await supervisor.stop();
    monitor.stop();
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  });
});
