// The fleet store (a real SQLite file) and the HTTP fallback adapter against a scripted loopback server:
// de-duplication by identity, a view that survives reopening, typed failures for a file that is not a
// database or is read-only, and for a gateway that answers 401 or garbage.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchReadiness, invokeSessionsList } from '../../src/adapters/http/fleet-http.js';
import { openSqliteStore } from '../../src/adapters/store/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { createFleetClient } from '../../src/runtime/fleet-client.js';
import { rosterChanges } from '../../src/runtime/fleet-changes.js';
import { createFleetPipeline } from '../../src/runtime/fleet-pipeline.js';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ocs-fleet-store-'));
  dirs.push(dir);
  return dir;
}

async function httpServer(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('fleet store (SQLite file)', () => {
  it('journals each identity once, keeps the view across a reopen, and trims the journal to its limit', async () => {
    const path = join(await tempDir(), 'fleet.db');
    const store = openSqliteStore({ path, journalLimit: 3 });
    const first = store.apply([
      { identity: 'agent:r1:1', kind: 'agent', id: 'r1', op: 'event', data: { seq: 1 } },
      { identity: 'session:a:h1', kind: 'session', id: 'a', op: 'put', data: { key: 'a' } },
    ]);
    expect(first.map((e) => e.seq)).toEqual([1, 2]);
    // The same identities again (a re-sync, a replay after a reconnect): nothing new.
    expect(store.apply([{ identity: 'agent:r1:1', kind: 'agent', id: 'r1', op: 'event', data: { seq: 1 } }])).toEqual([]);
    store.apply(rosterChanges('session', [{ id: 'b', data: { key: 'b' } }], store.view()));
    store.close();
    const reopened = openSqliteStore({ path, journalLimit: 3 });
    expect(reopened.view()).toEqual({ session: { b: { key: 'b' } } });
    // Seqs only grow (an ignored duplicate may leave a gap); the journal keeps the newest entries.
    const kept = reopened.since(0);
    expect(kept.map((e) => [e.kind, e.id, e.op])).toEqual([
      ['session', 'b', 'put'],
      ['session', 'a', 'delete'],
    ]);
    expect(kept.at(-1)!.seq).toBe(reopened.lastSeq());
    expect(reopened.oldestSeq()).toBe(kept[0]!.seq);
    reopened.close();
  });

  it('a batch that fails half-way leaves nothing of itself behind, and the pipeline broadcasts none of it', async () => {
    const store = openSqliteStore({ path: join(await tempDir(), 'fleet.db'), journalLimit: 100 });
    store.apply([{ identity: 'session:a:1', kind: 'session', id: 'a', op: 'put', data: { key: 'a' } }]);
    const heard: number[] = [];
    const failures: string[] = [];
    const pipeline = createFleetPipeline({
      store,
      maxBatch: 10,
      onEntries: (entries) => heard.push(...entries.map((e) => e.seq)),
      onFailure: (error) => failures.push(error.code),
    });
    // The second change cannot be serialised: the whole transaction rolls back, the first change with it.
    pipeline.persistNow([
      { identity: 'session:b:1', kind: 'session', id: 'b', op: 'put', data: { key: 'b' } },
      { identity: 'session:c:1', kind: 'session', id: 'c', op: 'put', data: { big: 1n } },
    ]);
    expect(failures).toEqual([ErrorCodes.STORE_FAILED]);
    expect(heard).toEqual([]);
    expect(store.view()).toEqual({ session: { a: { key: 'a' } } });
    expect(store.since(0).map((e) => e.identity)).toEqual(['session:a:1']);
    // A failed pipeline stays failed: nothing later is broadcast without being stored.
    pipeline.persistNow([{ identity: 'session:d:1', kind: 'session', id: 'd', op: 'put', data: { key: 'd' } }]);
    expect(heard).toEqual([]);
    store.close();
  });

  it('a file that is not a database is a typed STORE_FAILED (not-a-database), and nothing is written to it', async () => {
    const path = join(await tempDir(), 'garbage.db');
    await writeFile(path, 'this is not a database, just text that is long enough to have a header '.repeat(20));
    expect(() => openSqliteStore({ path, journalLimit: 10 })).toThrow(
      expect.objectContaining({ code: ErrorCodes.STORE_FAILED, details: expect.objectContaining({ reason: 'not-a-database' }) }),
    );
    // The fleet client says so at start and in its status, before any socket opens.
    const client = createFleetClient({ url: 'ws://127.0.0.1:1/', storePath: path });
    await expect(client.start()).rejects.toMatchObject({ code: ErrorCodes.STORE_FAILED });
    expect(client.status().store.state).toBe('closed');
  });

  it('a read-only store file is a typed STORE_FAILED (read-only)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'ro.db');
    openSqliteStore({ path, journalLimit: 10 }).close();
    await rm(`${path}-wal`, { force: true });
    await rm(`${path}-shm`, { force: true });
    await chmod(path, 0o444);
    await chmod(dir, 0o555);
    try {
      if (process.getuid?.() === 0) return; // root writes anyway; the check below would prove nothing
      expect(() => openSqliteStore({ path, journalLimit: 10 })).toThrow(expect.objectContaining({ code: ErrorCodes.STORE_FAILED }));
    } finally {
      await chmod(dir, 0o755);
    }
  });
});

describe('fleet client options', () => {
  it('bad options are a ConfigError naming the field', () => {
    expect(() => createFleetClient({ url: 'ws://127.0.0.1:1/' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.CONFIG_INVALID, field: 'storePath' }),
    );
    expect(() => createFleetClient({ url: 'http://x', storePath: '/tmp/x.db' })).toThrow(expect.objectContaining({ field: 'url' }));
    expect(() => createFleetClient({ url: 'ws://127.0.0.1:1/', storePath: '/tmp/x.db', pollIntervalMs: 0 })).toThrow(
      expect.objectContaining({ field: 'pollIntervalMs' }),
    );
  });
});

describe('fleet HTTP fallback adapter', () => {
  it('a 401 and a garbage answer are typed FLEET_HTTP_FAILED with the reason, and never echo the token', async () => {
    const base = await httpServer((req, res) => {
      if (req.url === '/readyz') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>');
      if (req.headers.authorization !== 'Bearer right') return void res.writeHead(401).end('{"error":{"type":"unauthorized"}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":{"surprise":1}}');
    });
    const wrong = await invokeSessionsList({ baseUrl: base, token: 'secret-wrong', timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: ErrorCodes.FLEET_HTTP_FAILED, details: { endpoint: '/tools/invoke', reason: 'unauthorized', status: 401 } });
    expect(JSON.stringify(wrong)).not.toContain('secret-wrong');
    await expect(invokeSessionsList({ baseUrl: base, token: 'right', timeoutMs: 2_000 })).rejects.toMatchObject({
      details: { reason: 'bad-response' },
    });
    await expect(fetchReadiness({ baseUrl: base, token: undefined, timeoutMs: 2_000 })).rejects.toMatchObject({
      details: { reason: 'bad-response' },
    });
  });

  it('the client shows a failing HTTP path in its state when the gateway answers garbage', async () => {
    const base = await httpServer((_req, res) => void res.writeHead(200).end('garbage'));
    // The socket gets no hello-ok from this server, so polling starts after the ready timeout.
    const withHttp = createFleetClient({
      url: base.replace('http://', 'ws://'),
      storePath: join(await tempDir(), 'b.db'),
      wsReadyTimeoutMs: 50,
      pollIntervalMs: 100,
      challengeTimeoutMs: 200,
    });
    await withHttp.start();
    try {
      await waitUntil(() => withHttp.status().phase === 'failing');
      expect(withHttp.status()).toMatchObject({ path: 'http', lastPollFailure: { code: ErrorCodes.FLEET_HTTP_FAILED } });
    } finally {
      await withHttp.stop();
    }
  });
});

async function waitUntil(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error('waitUntil: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
