// Crash between persist and broadcast: a child process running the fleet client under a stream of gateway
// events is SIGKILLed at random moments; after each kill, everything any subscriber received is in the store.
// (A fake gateway streams the events: the real one cannot be made to emit thousands on demand.)
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/index.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

const KILLS = 3;
let gateway: FakeGateway | undefined;
let dir: string | undefined;

afterAll(async () => {
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fleet client crash between persist and broadcast', () => {
  it(`after ${KILLS} SIGKILLs at random moments under a stream of events, every delta a subscriber heard is in the store`, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocs-fleet-crash-'));
    const storePath = join(dir, 'fleet.db');
    let run = 0;
    gateway = await startFakeGateway({
      onRequest: (frame) => {
        if (frame.method === 'agents.list') return { ok: true, payload: { agents: [{ id: 'main' }] } };
        if (frame.method === 'sessions.list') return { ok: true, payload: { sessions: [] } };
        return { ok: true, payload: { ok: true } };
      },
    });
    const heard = new Map<number, string>();
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/fleet-crash-child.ts', gateway.url, storePath], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buffer = '';
      let started = false;
      let lines = 0;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === 'STARTED') started = true;
          const match = /^D (\d+) (.+)$/.exec(line);
          if (match) {
            heard.set(Number(match[1]), match[2]!);
            lines++;
          }
        }
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await until(() => started && gateway!.connections.length > kill, 90_000);
      // A stream: 25 agent events every 2 ms on this child's connection, each run's seq counting up.
      const connection = gateway.connections[gateway.connections.length - 1]!;
      run++;
      let seq = 0;
      const stream = setInterval(() => {
        connection.run(
          Array.from({ length: 25 }, () => ({
            kind: 'event' as const,
            event: 'agent',
            payload: { runId: `run-${run}`, seq: ++seq, stream: 'assistant' },
          })),
        );
      }, 2);
      // Kill at a random moment once some deltas have been heard.
      await until(() => lines >= 50, 60_000);
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 400)));
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      clearInterval(stream);
      // Lines written before the kill may still be in the pipe.
      await new Promise((r) => setTimeout(r, 50));
      const store = openSqliteStore({ path: storePath, journalLimit: 1_000_000 });
      const persisted = new Map(store.since(0, 10_000_000).map((e) => [e.seq, e.identity] as const));
      store.close();
      const missing = [...heard].filter(([seqNo, identity]) => persisted.get(seqNo) !== identity);
      expect(missing).toEqual([]);
      expect(lines).toBeGreaterThan(0);
    }
    expect(heard.size).toBeGreaterThan(KILLS * 50);
  }, 300_000);
});

async function until(test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error('until: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
