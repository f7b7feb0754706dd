// A gateway that crashes at every start is hard to get from the real one on demand; a stand-in "node"
// that answers --version like Node 24 and then exits 3 with a line on stderr is a real child process that
// does exactly that. The supervisor must back off, give up after the configured attempts, report the exit
// code and the stderr tail, and leave no process behind.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from '../support/free-port.js';
import { isAlive } from '../support/process-tree.js';
import { recordEvents } from '../support/supervisor-probe.js';

let dir: string;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a gateway that keeps crashing', () => {
  it('is respawned with backoff, then reported as GATEWAY_CRASHED with its exit code and stderr', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocs-crash-'));
    const fakeNode = join(dir, 'node');
    await writeFile(
      fakeNode,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo v24.21.0; exit 0; fi\necho "fatal: simulated crash at boot" >&2\nexit 3\n',
    );
    await chmod(fakeNode, 0o755);
    const entry = join(dir, 'openclaw.mjs');
    await writeFile(entry, '');
    const rec = recordEvents();
    const supervisor = createGatewaySupervisor({
      mode: 'managed',
      stateDir: join(dir, 'state'),
      port: await freePort(),
      nodePath: fakeNode,
      openclawEntry: entry,
      crash: { maxAttempts: 3 },
      reconnect: { initialDelayMs: 20, maxDelayMs: 80, jitter: 0 },
      logger: silentLogger,
      inspect: rec.inspect,
    });
    const statuses: SupervisorStatus[] = [];
    supervisor.on('status', (s) => statuses.push(s));
    const error = await supervisor.start().then(
      () => undefined,
      (e: { code: string; details: Record<string, unknown> }) => e,
    );
    expect(error).toMatchObject({ code: 'GATEWAY_CRASHED', details: { exitCode: 3 } });
    expect(error?.details.stderrTail).toContain('fatal: simulated crash at boot');
    const exits = rec.events.filter((e) => e.type === 'process.exited');
    expect(exits).toHaveLength(3);
    expect(statuses.some((s) => s.phase === 'backoff')).toBe(true);
    const pids = [...new Set(statuses.map((s) => s.pid).filter((p): p is number => p !== undefined))];
    expect(pids.length).toBe(3);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    await supervisor.dispose();
  });
});
