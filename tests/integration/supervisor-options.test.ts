// What a host gets for bad options and a missing runtime: typed errors that name the field or say how
// to fix it, before anything is spawned, and never a secret in the message.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, createGatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('supervisor options and runtime resolution', () => {
  it('throws a ConfigError naming every bad field at creation', () => {
    let caught: unknown;
    try {
      createGatewaySupervisor({ mode: 'managed', port: 0, stateDir: '', maxInFlight: 1000, token: 'tok-do-not-print' } as never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const fields = (caught as ConfigError).issues.map((i) => i.field).sort();
    expect(fields).toEqual(['maxInFlight', 'port', 'stateDir']);
    expect((caught as Error).message).not.toContain('tok-do-not-print');
  });

  it('a Node runtime that is too old for the gateway is refused with a fix, and nothing is spawned', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ocs-opt-'));
    dirs.push(stateDir);
    const supervisor = createGatewaySupervisor({ mode: 'managed', stateDir, nodePath: process.execPath, logger: silentLogger });
    const pids: number[] = [];
    supervisor.on('status', (s) => s.pid !== undefined && pids.push(s.pid));
    const error = await supervisor.start().then(
      () => undefined,
      (e: { code: string; message: string }) => e,
    );
    expect(error?.code).toBe('RUNTIME_NOT_FOUND');
    expect(error?.message).toMatch(/24\.16/);
    expect(supervisor.getStatus().state).toBe('stopped');
    expect(pids).toEqual([]);
    await supervisor.dispose();
  });

  it('an openclaw entry that does not exist is refused before spawning', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ocs-opt-'));
    dirs.push(stateDir);
    const supervisor = createGatewaySupervisor({
      mode: 'managed',
      stateDir,
      resolveFrom: [join(process.cwd(), 'runtime')],
      openclawEntry: join(stateDir, 'missing', 'openclaw.mjs'),
      logger: silentLogger,
    });
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'OPENCLAW_NOT_FOUND' });
    await supervisor.dispose();
  });
});
