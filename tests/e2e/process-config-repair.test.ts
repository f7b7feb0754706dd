// Invalid config against the real gateway: exit 78 (EX_CONFIG) without ever listening, then doctor's
// repair run against the same state dir, as docs/gateway/embedding.md prescribes. No full gateway start.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctorRepair } from '../../src/adapters/process/doctor.js';
import { tryConnect } from '../../src/adapters/http/wait-listening.js';
import { listGatewayProcesses } from '../support/process-tree.js';
import { RUNTIME_ENTRY, RUNTIME_NODE, startRealGateway, type RealGateway } from '../support/real-gateway.js';

describe('a gateway with an invalid config', () => {
  let gateway: RealGateway | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await gateway?.stop();
    for (const cleanup of cleanups) await cleanup();
  });

  it('exits 78 without listening, and doctor --fix repairs the same state dir and returns', async () => {
    // An unknown key under `gateway` is rejected by the config schema.
    gateway = await startRealGateway({ rawConfig: '{ gateway: { notARealKey: 1 } }\n', waitFor: 'spawned' });
    const exit = await gateway.exited;
    expect(exit.code).toBe(78);
    expect(exit.stderrTail.length).toBeGreaterThan(0);
    expect(exit.stderrTail.join('\n')).not.toContain(gateway.token);
    expect(await tryConnect('127.0.0.1', gateway.port)).toBe(false);

    const repair = await runDoctorRepair({
      nodePath: gateway.nodePath,
      entry: gateway.entry,
      stateDir: gateway.stateDir,
      skipChannels: true,
    });
    expect(repair).toMatchObject({ exitCode: 0, signal: null, outcome: 'exited' });
    expect(repair.outputTail.length).toBeGreaterThan(0);
    expect(listGatewayProcesses(gateway.stateDir)).toEqual([]);
  });

  it('stops a running doctor and everything it started when aborted', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ocs-e2e-doctor-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const controller = new AbortController();
    // Abort on doctor's first output line: it is running by then.
    const result = await runDoctorRepair({
      nodePath: RUNTIME_NODE,
      entry: RUNTIME_ENTRY,
      stateDir,
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    expect(result).toMatchObject({ outcome: 'aborted', exitCode: null });
    expect(result.outputTail.length).toBeGreaterThan(0);
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  });
});
