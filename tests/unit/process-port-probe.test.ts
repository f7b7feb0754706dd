// The HTTP-side adapters that decide between spawning, adopting and PORT_IN_USE, against local stand-ins
// (a gateway-like WebSocket server, a raw TCP listener, a plain HTTP server). The real gateway's answer
// is checked in tests/e2e/process-gateway.test.ts.
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { probePort } from '../../src/adapters/http/probe-port.js';
import { checkAllReadiness, checkReadiness } from '../../src/adapters/http/readiness.js';
import { tryConnect, waitForListening } from '../../src/adapters/http/wait-listening.js';
import { freePort } from '../support/free-port.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function listenTcp(port = 0): Promise<{ port: number; server: TcpServer }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    // Accept and say nothing, like a database or a stuck process would.
    sockets.add(socket);
    socket.on('error', () => {});
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server })));
}

function listenHttp(handler: RequestListener): Promise<{ port: number; server: HttpServer }> {
  const server = createHttpServer(handler);
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server })));
}

function listenWs(firstFrame: string | null): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (socket) => {
    if (firstFrame !== null) socket.send(firstFrame);
  });
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return new Promise((resolve) => wss.on('listening', () => resolve((wss.address() as { port: number }).port)));
}

const challenge = JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n-1', ts: 1 } });

describe('port probe', () => {
  it('calls a port nobody listens on free', async () => {
    expect(await probePort({ host: '127.0.0.1', port: await freePort() })).toEqual({ kind: 'free' });
  });

  it('recognises a gateway by the connect.challenge it sends first', async () => {
    const port = await listenWs(challenge);
    expect(await probePort({ host: '127.0.0.1', port })).toEqual({ kind: 'gateway' });
  });

  it('calls a silent TCP listener foreign once its timeout passes, instead of hanging', async () => {
    const { port } = await listenTcp();
    const result = await probePort({ host: '127.0.0.1', port, timeoutMs: 1_000 });
    expect(result.kind).toBe('foreign');
    expect(result.kind === 'foreign' && result.detail).toContain('did not answer a WebSocket upgrade');
  });

  it('calls an HTTP server that refuses the upgrade foreign, naming its status', async () => {
    const { port } = await listenHttp((_req, res) => res.writeHead(404).end('nope'));
    expect(await probePort({ host: '127.0.0.1', port })).toEqual({
      kind: 'foreign',
      detail: 'an HTTP server that answered the upgrade with 404',
    });
  });

  it('calls a WebSocket server that greets with something else, or not at all, foreign', async () => {
    const otherPort = await listenWs(JSON.stringify({ type: 'hello' }));
    expect((await probePort({ host: '127.0.0.1', port: otherPort })).kind).toBe('foreign');
    const silentPort = await listenWs(null);
    const silent = await probePort({ host: '127.0.0.1', port: silentPort, timeoutMs: 1_000 });
    expect(silent.kind === 'foreign' && silent.detail).toContain('sent no connect.challenge');
  });
});

describe('waiting for a listener', () => {
  it('resolves once something starts listening on the port', async () => {
    const port = await freePort();
    expect(await tryConnect('127.0.0.1', port)).toBe(false);
    const waiting = waitForListening({ host: '127.0.0.1', port, intervalMs: 20 });
    await listenTcp(port);
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects with the abort reason when aborted', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const waiting = waitForListening({ host: '127.0.0.1', port, signal: controller.signal });
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });
});

describe('readiness endpoints', () => {
  it('reports each endpoint status, ok only for 200', async () => {
    const { port } = await listenHttp((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 503).end());
    expect(await checkAllReadiness({ host: '127.0.0.1', port })).toEqual({
      healthz: { status: 200, ok: true },
      readyz: { status: 503, ok: false },
      startupz: { status: 503, ok: false },
    });
  });

  it('answers status 0 with the reason when nothing listens or nothing answers', async () => {
    expect(await checkReadiness('readyz', { host: '127.0.0.1', port: await freePort() })).toEqual({
      status: 0,
      ok: false,
      error: 'ECONNREFUSED',
    });
    const { port } = await listenTcp();
    expect(await checkReadiness('readyz', { host: '127.0.0.1', port, timeoutMs: 200 })).toEqual({ status: 0, ok: false, error: 'timeout' });
  });
});
