// The fleet client against the real gateway, in the order one dashboard backend lives through: sync after
// hello-ok; the WebSocket path cut (a loopback proxy carries only the socket, HTTP goes direct) so HTTP
// polling takes over, then the socket back and the poller standing down; an SSE client that reconnects with
// Last-Event-ID and gets exactly what it missed; a restart of the client that keeps the view and journal.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type JournalEntry } from '../../src/adapters/store/index.js';
import { createFleetClient, type FleetClient, type FleetMessage } from '../../src/runtime/fleet-client.js';
import { startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let gateway: RealGateway;
let proxy: TcpProxy;
let dir: string;
let storePath: string;
let client: FleetClient | undefined;
let server: Server | undefined;
const heard: FleetMessage[] = [];

const fast = { initialDelayMs: 100, multiplier: 2, maxDelayMs: 400, jitter: 0 };

function makeClient(): FleetClient {
  return createFleetClient({
    url: `ws://127.0.0.1:${proxy.port}/`,
    httpUrl: `http://127.0.0.1:${gateway.port}`,
    token: gateway.token,
    storePath,
    wsReadyTimeoutMs: 20_000,
    lossGraceMs: 600,
    pollIntervalMs: 300,
    reconnect: fast,
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocs-fleet-real-'));
  storePath = join(dir, 'fleet.db');
  gateway = await startRealGateway();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: gateway.port });
}, 120_000);

afterAll(async () => {
  await client?.stop();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await proxy?.close();
  await gateway?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('fleet client (real gateway)', () => {
  it('syncs agents, sessions and health after hello-ok, persisting before any subscriber hears', async () => {
    client = makeClient();
    await client.start();
    // Every delta a subscriber hears is already in the store when it hears it.
    const check = openSqliteStore({ path: storePath, journalLimit: 1_000_000 });
    client.subscribe((message) => {
      heard.push(message);
      if (message.type === 'delta') expect(check.since(message.entry.seq - 1, 1)[0]?.identity).toBe(message.entry.identity);
    });
    await waitUntil(() => client!.status().phase === 'streaming', 30_000);
    check.close();
    const view = client.view();
    expect(view.agent?.main).toMatchObject({ id: 'main' });
    expect(view.gateway?.health).toMatchObject({ ok: true });
    expect(client.status()).toMatchObject({ path: 'websocket', store: { state: 'ok' } });
    expect(heard[0]?.type).toBe('snapshot');
    expect(heard.some((m) => m.type === 'delta' && m.entry.kind === 'agent')).toBe(true);
  }, 60_000);

  it('cutting only the WebSocket path brings HTTP polling in after the grace, and the socket coming back stands it down', async () => {
    const c = client!;
    proxy.cut();
    await waitUntil(() => c.status().path === 'grace', 5_000);
    await waitUntil(() => c.status().path === 'http' && c.status().polls >= 2, 10_000);
    expect(c.view().gateway?.ready).toMatchObject({ ready: true, status: 200 });
    expect(c.status().lastPollFailure).toBeUndefined();
    proxy.restore();
    await waitUntil(() => c.status().phase === 'streaming', 15_000);
    const polls = c.status().polls;
    await new Promise((r) => setTimeout(r, 1_000));
    // Three poll periods later: no poll ran while the socket is up.
    expect(c.status().polls).toBe(polls);
    expect(c.status().path).toBe('websocket');
  }, 40_000);

  it('an SSE client that reconnects with Last-Event-ID gets exactly the entries it missed', async () => {
    const c = client!;
    server = createServer((req, res) => c.sse(req, res));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const first = await readSse(port, undefined, (events) => events.length >= 1);
    expect(first[0]!.event).toBe('snapshot');
    const lastId = Number(first.at(-1)!.id);
    // Changes while the dashboard is away: lose the socket (HTTP rows) and get it back (a re-sync).
    proxy.cut();
    await waitUntil(() => c.status().path === 'http' && c.status().polls >= 1, 10_000);
    proxy.restore();
    await waitUntil(() => c.status().phase === 'streaming', 15_000);
    const missed: JournalEntry[] = openSqliteStore({ path: storePath, journalLimit: 1_000_000 }).since(lastId);
    expect(missed.length).toBeGreaterThan(0);
    const resumed = await readSse(port, String(lastId), (events) => events.length >= missed.length);
    expect(resumed.map((e) => e.event)).toEqual(missed.map(() => 'delta'));
    expect(resumed.map((e) => Number(e.id))).toEqual(missed.map((e) => e.seq));
    expect(resumed.map((e) => (JSON.parse(e.data) as JournalEntry).identity)).toEqual(missed.map((e) => e.identity));
  }, 60_000);

  it('a restarted client keeps the last view and its journal, and a re-sync of unchanged data journals nothing twice', async () => {
    const before = client!.view();
    const lastSeq = client!.status().store.lastSeq;
    // An SSE client still connected when the client stops sees its stream end: no socket outlives stop().
    const port = (server!.address() as AddressInfo).port;
    const ended = new Promise<void>((resolve) => get({ host: '127.0.0.1', port, path: '/' }, (res) => res.on('end', resolve).resume()));
    await new Promise((r) => setTimeout(r, 100));
    await client!.stop();
    await ended;
    client = makeClient();
    const restarted = client;
    await restarted.start();
    // Before any socket: the persisted view.
    expect(restarted.view()).toEqual(before);
    expect(restarted.status().store.lastSeq).toBe(lastSeq);
    await waitUntil(() => restarted.status().phase === 'streaming', 30_000);
    const check = openSqliteStore({ path: storePath, journalLimit: 1_000_000 });
    const since = check.since(lastSeq);
    check.close();
    // The agent roster did not change, so the re-sync added no agent rows; only the health snapshot moved.
    expect(since.filter((e) => e.kind === 'agent')).toEqual([]);
  }, 60_000);
});

interface SseEvent {
  id: string;
  event: string;
  data: string;
}

/** Connects, reads events until `enough`, disconnects. */
function readSse(port: number, lastEventId: string | undefined, enough: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = '';
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`SSE: only ${events.length} events`));
    }, 10_000);
    const req = get({ host: '127.0.0.1', port, path: '/', headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
          events.push({ id: fields.id ?? '', event: fields.event ?? 'message', data: fields.data ?? '' });
        }
        if (enough(events)) {
          clearTimeout(timer);
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', () => {});
  });
}

async function waitUntil(test: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error('waitUntil: timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
