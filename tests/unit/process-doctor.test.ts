// Doctor's repair run against stand-in entries (the real doctor takes ~16 s; see
// tests/e2e/process-config-repair.test.ts): a non-zero exit is a result, a hang is cut by the timeout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctorRepair } from '../../src/adapters/process/doctor.js';
import { listGatewayProcesses } from '../support/process-tree.js';

const root = mkdtempSync(join(tmpdir(), 'ocs-doctor-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function entry(name: string, source: string): string {
  const path = join(root, name);
  writeFileSync(path, source);
  return path;
}

const failing = entry(
  'failing.mjs',
  `console.log('args ' + process.argv.slice(2).join(' '));
console.log('state ' + process.env.OPENCLAW_STATE_DIR);
console.error('\\u001b[31mcould not fix secret-value-1234\\u001b[39m');
process.exit(3);`,
);
const hanging = entry(
  'hanging.mjs',
  `import { spawn } from 'node:child_process';
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { detached: true, stdio: 'ignore' }).unref();
process.on('SIGTERM', () => {});
console.log('working');
setInterval(() => {}, 1e6);`,
);

describe('doctor repair', { timeout: 30_000 }, () => {
  it('resolves with a non-zero exit code and the cleaned output, run with the same state dir', async () => {
    const stateDir = join(root, 'state-a');
    const result = await runDoctorRepair({ nodePath: process.execPath, entry: failing, stateDir, secrets: ['secret-value-1234'] });
    expect(result).toMatchObject({ exitCode: 3, signal: null, outcome: 'exited' });
    expect(result.outputTail).toContain('args doctor --fix --yes --non-interactive');
    expect(result.outputTail).toContain(`state ${stateDir}`);
    expect(result.outputTail).toContain('could not fix [redacted]');
  });

  it('kills a doctor that outlives its timeout, and what it started', async () => {
    const stateDir = join(root, 'state-b');
    // 2 s: the stand-in must have started and installed its SIGTERM handler first, even on a loaded machine.
    const result = await runDoctorRepair({ nodePath: process.execPath, entry: hanging, stateDir, timeoutMs: 2_000, killGraceMs: 200 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', outcome: 'timeout', outputTail: ['working'] });
    expect(listGatewayProcesses(stateDir)).toEqual([]);
  });

  it('does not start at all when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runDoctorRepair({ nodePath: process.execPath, entry: failing, stateDir: join(root, 'state-c'), signal: controller.signal });
    expect(result).toEqual({ exitCode: null, signal: null, outcome: 'aborted', outputTail: [] });
  });

  it('rejects with SPAWN_FAILED when the runtime does not exist', async () => {
    await expect(runDoctorRepair({ nodePath: join(root, 'no-node'), entry: failing, stateDir: join(root, 'state-d') })).rejects.toMatchObject({
      code: 'SPAWN_FAILED',
    });
  });
});
