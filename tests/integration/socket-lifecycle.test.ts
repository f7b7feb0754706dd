// The actor's own lifecycle: sockets that never open, commands, cleanup, and secrets kept out of signals
// and logs.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatewaySocketDeps, type RpcChannel } from '../../src/adapters/websocket/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { runSocketActor, startFakeGateway, type FakeGateway, type SocketActorHarness, socketLogic } from '../support/fake-gateway.js';
import { socketDeps } from '../support/socket-deps.js';
import { testRpcChannel } from '../support/rpc-channel.js';

const TOKEN = 'lifecycle-secret-token-42';
let gateway: FakeGateway | undefined;
let harness: SocketActorHarness | undefined;
let rpc: RpcChannel;

beforeEach(() => {
  rpc = testRpcChannel({ defaultTimeoutMs: 2_000 });
});
afterEach(async () => {
  harness?.stop();
  harness = undefined;
  await gateway?.close();
  gateway = undefined;
});

const deps = (url: string, overrides: Partial<GatewaySocketDeps> = {}): GatewaySocketDeps => socketDeps(url, TOKEN, rpc, overrides);

/** A ws client class that remembers its instances, to inspect listeners after cleanup. */
function recordingWebSocket() {
  const instances: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      instances.push(this);
    }
  }
  return { instances, Impl: Recording as unknown as typeof WebSocket };
}

/** A TCP listener that accepts and never answers the WebSocket upgrade. */
async function silentTcpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gatewaySocket lifecycle', () => {
  it('a socket that never opens signals closed 1006 once, with the transport error as reason', async () => {
    const port = await unusedPort();
    harness = runSocketActor(socketLogic(deps(`ws://127.0.0.1:${port}/`)));
    const closed = await harness.waitFor('socket.closed');
    expect(closed.code).toBe(1006);
    expect(closed.reason).toContain('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 20));
    expect(harness.signals).toEqual([closed]);
  });

  it('a malformed URL signals closed 1006 instead of throwing', async () => {
    harness = runSocketActor(socketLogic(deps('not a url')));
    const closed = await harness.waitFor('socket.closed');
    expect(closed.code).toBe(1006);
    expect(closed.reason.length).toBeGreaterThan(0);
    expect(harness.signals).toHaveLength(1);
  });

  it('socket.close while still connecting ends with that code', async () => {
    const silent = await silentTcpServer();
    try {
      harness = runSocketActor(socketLogic(deps(silent.url)));
      harness.send({ type: 'socket.close', code: 1000, reason: 'stop' });
      expect(await harness.waitFor('socket.closed')).toMatchObject({ code: 1000, reason: 'stop' });
      expect(harness.signals).toHaveLength(1);
    } finally {
      await silent.close();
    }
  });

  it('stopping the actor while connecting terminates the attempt without a signal or an unhandled error', async () => {
    const silent = await silentTcpServer();
    const { instances, Impl } = recordingWebSocket();
    try {
      harness = runSocketActor(socketLogic(deps(silent.url, { WebSocketImpl: Impl })));
      await new Promise((r) => setTimeout(r, 20));
      harness.stop();
      await new Promise((r) => setTimeout(r, 50));
      expect(harness.signals).toEqual([]);
      expect(instances[0]!.readyState).toBe(WebSocket.CLOSED);
    } finally {
      await silent.close();
    }
  });

  it('stopping a ready actor closes the socket politely, fails in-flight requests, removes its listeners and sends nothing more', async () => {
    gateway = await startFakeGateway({ onRequest: () => 'ignore' });
    const { instances, Impl } = recordingWebSocket();
    harness = runSocketActor(socketLogic(deps(gateway.url, { WebSocketImpl: Impl, connectTimeoutMs: 5_000 })));
    await harness.waitFor('socket.hello');
    const inFlight = rpc.request('health').catch((error: unknown) => error);
    const signalCount = harness.signals.length;
    harness.stop();
    expect(await inFlight).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED });
    expect(await gateway.waitForClose(0)).toEqual({ code: 1000, reason: 'client stopped' });
    const ws = instances[0]!;
    // Until the close completes, one listener waits for it (a supervisor's stop() waits on that); then none.
    if (ws.readyState !== ws.CLOSED) await new Promise((r) => ws.once('close', r));
    await new Promise((r) => setImmediate(r));
    for (const event of ['open', 'message', 'close'] as const) expect(ws.listenerCount(event)).toBe(0);
    expect(ws.listenerCount('error')).toBe(1); // the no-op guard against late errors
    gateway.connections[0]!.run([{ kind: 'event', event: 'tick', payload: { ts: 1 } }]);
    await new Promise((r) => setTimeout(r, 20));
    expect(harness.signals).toHaveLength(signalCount);
    expect(rpc.stats().attached).toBe(false);
  });

  it('leaves no timer behind after cleanup', async () => {
    gateway = await startFakeGateway();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    harness = runSocketActor(socketLogic(deps(gateway.url, { connectTimeoutMs: 60_000, closeGraceMs: 60_000, refusedCloseGraceMs: 60_000 })));
    await harness.waitFor('socket.challenge');
    harness.stop();
    await gateway.waitForClose(0);
    await new Promise((r) => setImmediate(r));
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
  });

  it('ignores a repeated challenge instead of sending connect twice', async () => {
    gateway = await startFakeGateway({ connect: 'ignore' });
    harness = runSocketActor(socketLogic(deps(gateway.url)));
    await harness.waitFor('socket.challenge');
    gateway.connections[0]!.run([{ kind: 'event', event: 'connect.challenge', payload: { nonce: 'again', ts: 2 } }]);
    await new Promise((r) => setTimeout(r, 30));
    const connects = gateway.connections[0]!.received.filter((f) => (f as { method?: string }).method === 'connect');
    expect(connects).toHaveLength(1);
    expect(harness.signals.filter((s) => s.type === 'socket.challenge')).toHaveLength(1);
  });

  it('keeps the token out of every signal and log line, even when the gateway refuses it', async () => {
    const lines: unknown[] = [];
    const logger = {
      debug: (obj: object, msg?: string) => void lines.push([obj, msg]),
      warn: (obj: object, msg?: string) => void lines.push([obj, msg]),
    };
    gateway = await startFakeGateway([
      { connect: { error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } } } },
      { afterHello: [{ kind: 'raw', text: `{"broken": "${TOKEN}"` }] },
    ]);
    harness = runSocketActor(socketLogic(deps(gateway.url, { logger })), 1);
    await harness.waitFor('socket.closed');
    harness.stop();
    harness = runSocketActor(socketLogic(deps(gateway.url, { logger })), 2);
    await harness.waitFor('socket.closed');
    expect(harness.signals.some((s) => s.type === 'socket.protocolError')).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify([harness.signals, lines])).not.toContain(TOKEN);
  });
});

describe('openGatewaySocket without an actor', () => {
  it('emits the same signals and nothing after dispose', async () => {
    const { openGatewaySocket } = await import('../../src/adapters/websocket/index.js');
    gateway = await startFakeGateway();
    const signals: { type: string }[] = [];
    const handle = openGatewaySocket(deps(gateway.url), 3, (s) => void signals.push(s));
    while (!signals.some((s) => s.type === 'socket.hello')) await new Promise((r) => setTimeout(r, 5));
    const count = signals.length;
    handle.dispose();
    handle.command({ type: 'socket.close', code: 1000, reason: 'late' });
    await gateway.waitForClose(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(signals).toHaveLength(count);
  });
});

describe('a socket opened ahead of its actor', () => {
  it('connects before it is adopted, then speaks under the adopting epoch: its connect id and every signal', async () => {
    const { preopenGatewaySocket } = await import('../../src/adapters/websocket/index.js');
    gateway = await startFakeGateway();
    const preopened = preopenGatewaySocket(deps(gateway.url));
    await gateway.waitForConnections(1);
    const signals: { type: string; epoch: number }[] = [];
    const handle = preopened.adopt(7, (s) => void signals.push(s));
    while (!signals.some((s) => s.type === 'socket.hello')) await new Promise((r) => setTimeout(r, 5));
    expect(signals.map((s) => s.type)).toEqual(['socket.opened', 'socket.challenge', 'socket.hello']);
    expect(signals.every((s) => s.epoch === 7)).toBe(true);
    expect(gateway.connections).toHaveLength(1);
    expect(gateway.connections[0]!.received).toContainEqual(expect.objectContaining({ id: 'connect-7', method: 'connect' }));
    handle.dispose();
    expect(await gateway.waitForClose(0)).toEqual({ code: 1000, reason: 'client stopped' });
  });

  it('holds what happened before adoption (a refused TCP connect) and delivers it after the adopting step, stamped', async () => {
    const { preopenGatewaySocket } = await import('../../src/adapters/websocket/index.js');
    // A port that was just free: nothing listens there, so the connect is refused at once.
    gateway = await startFakeGateway();
    const url = gateway.url;
    await gateway.close();
    gateway = undefined;
    const preopened = preopenGatewaySocket(deps(url));
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
    const signals: { type: string; epoch: number; code?: number }[] = [];
    preopened.adopt(4, (s) => void signals.push(s));
    // Like any signal of a starting actor: not while its parent is still starting it.
    expect(signals).toEqual([]);
    await Promise.resolve();
    expect(signals).toEqual([expect.objectContaining({ type: 'socket.closed', epoch: 4, code: 1006 })]);
    expect(JSON.stringify(signals)).not.toContain(TOKEN);
  });

  it('closes when nobody adopts it, and reports its end like a socket let go of', async () => {
    const { preopenGatewaySocket } = await import('../../src/adapters/websocket/index.js');
    gateway = await startFakeGateway();
    const ended: Promise<void>[] = [];
    const preopened = preopenGatewaySocket(deps(gateway.url, { onEnding: (e) => void ended.push(e) }));
    await gateway.waitForConnections(1);
    // Left alone, it goes on with the handshake by itself; its signals stay held.
    while (gateway.connections[0]!.authenticatedAt === undefined) await new Promise((r) => setTimeout(r, 5));
    preopened.dispose();
    expect(ended).toHaveLength(1);
    await ended[0];
    expect(gateway.connections[0]!.closed).toEqual({ code: 1000, reason: 'client stopped' });
  });
});
