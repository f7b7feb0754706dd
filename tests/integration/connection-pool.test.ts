// The connection pool against scripted fake gateways on loopback: sharing by URL and credential, lazy and
// single-socket connects, deadlines with typed refusals, idle reaping, release rules, proactive routing
// de-duplicated across a reconnect, and no credential anywhere it can be read.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionPool, type ConnectionPool, type ProactiveMessage } from '../../src/runtime/connection-pool.js';
import { ErrorCodes, type SupervisorError } from '../../src/errors.js';
import type { LoggerLike } from '../../src/config.js';
import { startFakeGateway, type FakeGateway, type GatewayScript } from '../support/fake-gateway.js';
import { freePort } from '../support/free-port.js';

const fast = { initialDelayMs: 50, multiplier: 2, maxDelayMs: 200, jitter: 0 };
const opened: Array<{ close(): Promise<void> }> = [];
const pools: ConnectionPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(opened.splice(0).map((fake) => fake.close()));
});

async function fake(script: GatewayScript | GatewayScript[] = {}): Promise<FakeGateway> {
  const gateway = await startFakeGateway(script);
  opened.push(gateway);
  return gateway;
}

function pool(options: Parameters<typeof createConnectionPool>[0] = {}): ConnectionPool {
  const created = createConnectionPool({ reconnect: fast, ...options });
  pools.push(created);
  return created;
}

/** A logger that keeps every line as JSON, to prove no token reaches it. */
function capturingLogger(lines: string[]) {
  const make = (bindings: Record<string, unknown>): LoggerLike => {
    const log = (obj: object, msg?: string) => lines.push(JSON.stringify({ ...bindings, ...obj, msg }));
    return { debug: log, info: log, warn: log, error: log, child: (more: Record<string, unknown>) => make({ ...bindings, ...more }) };
  };
  return make({});
}

describe('connection pool (fake gateways)', () => {
  it('1,000 users over 100 gateway URLs open exactly 100 sockets, one per URL', async () => {
    const gateways = await Promise.all(Array.from({ length: 100 }, () => fake()));
    const subject = pool();
    const handles = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => subject.acquire({ id: `user-${i}`, url: gateways[i % 100]!.url, token: 'shared-token' })),
    );
    expect(handles).toHaveLength(1_000);
    expect(gateways.map((g) => g.connections.length)).toEqual(Array.from({ length: 100 }, () => 1));
    const status = subject.status();
    expect(status).toMatchObject({ connections: 100, users: 1_000, byState: { ready: 100 } });
    expect(subject.usersFor(gateways[3]!.url)).toHaveLength(10);
    expect(await handles[7]!.request('health')).toEqual({ method: 'health' });
  });

  it('same URL and token share one connection; another token gets its own, and no token shows in keys, status or logs', async () => {
    const gateway = await fake();
    const lines: string[] = [];
    const systemIds: string[] = [];
    const subject = pool({
      logger: capturingLogger(lines),
      // What an inspector sees: every entry is an actor with an instance-scoped systemId.
      inspect: (event) => {
        const e = event as { type: string; actorRef?: { systemId?: string } };
        // The systemId is set once the actor is constructed, so it is read from the events that follow.
        if (e.type === '@xstate.snapshot' && e.actorRef?.systemId && !systemIds.includes(e.actorRef.systemId)) systemIds.push(e.actorRef.systemId);
      },
    });
    const [a, b, c] = await Promise.all([
      subject.acquire({ id: 'alice', url: gateway.url, token: 'token-of-alice-and-bob' }),
      subject.acquire({
        id: 'bob',
        url: gateway.url.replace('127.0.0.1', '127.0.0.1').toUpperCase().replace('WS://', 'ws://'),
        token: 'token-of-alice-and-bob',
      }),
      subject.acquire({ id: 'carol', url: gateway.url, token: 'token-of-carol' }),
    ]);
    expect(gateway.connections).toHaveLength(2);
    expect(a!.key).toBe(b!.key);
    expect(c!.key).not.toBe(a!.key);
    // Each connection authenticated with its own users' credential, never another's.
    const sent = gateway.connections.map((conn) => (conn.connectParams?.auth as { token?: string } | undefined)?.token).sort();
    expect(sent).toEqual(['token-of-alice-and-bob', 'token-of-carol']);
    expect(systemIds).toEqual(expect.arrayContaining(['pool:pool', `pool-entry:pool/${a!.key}`, `pool-entry:pool/${c!.key}`]));
    const visible = JSON.stringify([a!.key, c!.key, subject.status(), lines, systemIds, [...Object.keys(subject.actor.getSnapshot().children)]]);
    expect(visible).not.toContain('token-of');
    expect(subject.isConnected('alice')).toBe(true);
  });

  it('concurrent acquires of one key open one socket and all resolve', async () => {
    const gateway = await fake();
    const subject = pool();
    const handles = await Promise.all(Array.from({ length: 50 }, (_, i) => subject.acquire({ id: `u${i}`, url: gateway.url, token: 't' })));
    expect(new Set(handles.map((h) => h.key)).size).toBe(1);
    expect(gateway.connections).toHaveLength(1);
  });

  it('the last release closes the connection, but only once nothing is pending; close() settles every request', async () => {
    let answerLater: (() => void) | undefined;
    const gateway = await fake({
      onRequest: (frame, connection) => {
        if (frame.method !== 'slow') return { ok: true, payload: {} };
        answerLater = () => connection.run([{ kind: 'response', id: frame.id, ok: true, payload: { slow: true } }]);
        return 'ignore';
      },
    });
    const subject = pool();
    const one = await subject.acquire({ id: 'one', url: gateway.url, token: 't' });
    const two = await subject.acquire({ id: 'two', url: gateway.url, token: 't' });
    await subject.release('one');
    await new Promise((r) => setTimeout(r, 50));
    expect(gateway.connections[0]!.closed).toBeUndefined();
    const slow = two.request('slow');
    await waitUntil(() => answerLater !== undefined);
    await subject.release('two');
    await new Promise((r) => setTimeout(r, 100));
    // The last user left, but a request is still out: the connection stays until it settles.
    expect(gateway.connections[0]!.closed).toBeUndefined();
    answerLater!();
    await expect(slow).resolves.toEqual({ slow: true });
    await gateway.waitForClose(0);
    expect(subject.status().connections).toBe(0);
    expect(one.key).toBe(two.key);

    // close(): a request in flight settles with STOPPED, and later requests are refused.
    const three = await subject.acquire({ id: 'three', url: gateway.url, token: 't' });
    const pending = three.request('slow');
    await waitUntil(() => gateway.connections[1]?.received.some((f) => (f as { method?: string }).method === 'slow') ?? false);
    await subject.close();
    await expect(pending).rejects.toMatchObject({ code: ErrorCodes.STOPPED });
    await expect(three.request('health')).rejects.toMatchObject({ code: ErrorCodes.STOPPED });
    await gateway.waitForClose(1);
  });

  it('an idle connection is reaped, and its users reconnect on their next request', async () => {
    const gateway = await fake();
    const subject = pool({ idleTimeoutMs: 200 });
    const handle = await subject.acquire({ id: 'idle', url: gateway.url, token: 't' });
    await gateway.waitForClose(0);
    expect(subject.isConnected('idle')).toBe(false);
    expect(subject.status().users).toBe(1);
    expect(await handle.request('health')).toEqual({ method: 'health' });
    expect(gateway.connections).toHaveLength(2);
  });

  it('a refusing gateway rejects acquire with the typed refusal at once, and the entry pauses (no retry storm)', async () => {
    const gateway = await fake({
      connect: { error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } } },
    });
    const subject = pool({ acquireTimeoutMs: 5_000 });
    const started = Date.now();
    const error = (await subject.acquire({ id: 'bad', url: gateway.url, token: 'wrong' }).catch((e: unknown) => e)) as SupervisorError;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe(ErrorCodes.HANDSHAKE_REFUSED);
    expect(error.details).toMatchObject({ reason: 'AUTH_TOKEN_MISMATCH' });
    expect(JSON.stringify(error)).not.toContain('wrong');
    // Two users waiting together both get the refusal from the one attempt.
    const both = await Promise.allSettled([
      subject.acquire({ id: 'x', url: gateway.url, token: 'wrong-2' }),
      subject.acquire({ id: 'y', url: gateway.url, token: 'wrong-2' }),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await new Promise((r) => setTimeout(r, 600));
    expect(gateway.connections).toHaveLength(2);
  });

  it('an unreachable gateway rejects acquire with GATEWAY_UNREACHABLE at the deadline', async () => {
    const port = await freePort();
    const subject = pool({ acquireTimeoutMs: 400 });
    const started = Date.now();
    const error = (await subject.acquire({ id: 'u', url: `ws://127.0.0.1:${port}/`, token: 't' }).catch((e: unknown) => e)) as SupervisorError;
    const elapsed = Date.now() - started;
    expect(error.code).toBe(ErrorCodes.GATEWAY_UNREACHABLE);
    expect(error.retryable).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1_500);
    // A gateway that never answers the handshake is unreachable too.
    const accepted = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      accepted.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    opened.push({
      close: () => {
        for (const socket of accepted) socket.destroy();
        return new Promise<void>((r) => silent.close(() => r()));
      },
    });
    const silentPort = (silent.address() as { port: number }).port;
    await expect(subject.acquire({ id: 'v', url: `ws://127.0.0.1:${silentPort}/`, token: 't' })).rejects.toMatchObject({
      code: ErrorCodes.GATEWAY_UNREACHABLE,
    });
    // The users who gave up released the entry: it is gone on the next turn.
    await new Promise((r) => setTimeout(r, 20));
    expect(subject.status().connections).toBe(0);
  });

  it('events of runs the host did not start reach the proactive handler once each, across a reconnect', async () => {
    const agent = (runId: string, seq: number) => ({ kind: 'event' as const, event: 'agent', payload: { runId, seq, stream: 'assistant' } });
    const gateway = await fake([
      {
        afterHello: [agent('theirs', 1), agent('theirs', 2)],
        onRequest: (frame, connection) => {
          if (frame.method !== 'agent') return { ok: true, payload: {} };
          connection.run([{ kind: 'response', id: frame.id, ok: true, payload: { runId: 'mine' } }, agent('mine', 1)]);
          return 'ignore';
        },
      },
      // After the reconnect the gateway replays what the run already sent, then goes on.
      { afterHello: [agent('theirs', 1), agent('theirs', 2), agent('theirs', 3), agent('mine', 2)] },
    ]);
    const received: ProactiveMessage[] = [];
    const subject = pool({ onProactive: (m) => received.push(m) });
    const handle = await subject.acquire({ id: 'host', url: gateway.url, token: 't' });
    const seen: string[] = [];
    handle.on('event', (e) => seen.push(`${e.event}:${(e.payload as { runId: string }).runId}`));
    expect(await handle.request('agent', { message: 'hi' })).toEqual({ runId: 'mine' });
    await waitUntil(() => received.length >= 2);
    gateway.connections[0]!.run([{ kind: 'close', code: 1012, reason: 'service restart' }]);
    await waitUntil(() => received.length >= 3 && gateway.connections.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(received.map((m) => `${m.runId}:${m.seq}`)).toEqual(['theirs:1', 'theirs:2', 'theirs:3']);
    expect(received[0]).toMatchObject({ event: 'agent', users: ['host'] });
    expect(seen).toContain('agent:mine');
    // A handler registered later hears future connections' proactive events too.
    const late: ProactiveMessage[] = [];
    subject.onProactive((m) => late.push(m));
    gateway.connections[1]!.run([agent('theirs', 4), agent('theirs', 4)]);
    await waitUntil(() => late.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(late.map((m) => m.seq)).toEqual([4]);
  });

  it('bad input is a ConfigError naming the field', async () => {
    expect(() => createConnectionPool({ idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs/);
    const subject = pool();
    await expect(subject.acquire({ id: '', url: 'ws://127.0.0.1:1/' })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, field: 'id' });
    await expect(subject.acquire({ id: 'a', url: 'http//nope' })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, field: 'user.url' });
    await expect(subject.acquire({ id: 'a', url: 'ws://me:secret@127.0.0.1:1/' })).rejects.not.toThrow(/secret/);
  });
});

async function waitUntil(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > until) throw new Error('waitUntil: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
