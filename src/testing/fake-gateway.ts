// A scripted loopback gateway (protocol 4) for faults the real one cannot be made to produce on demand;
// part of `openclaw-supervisor/testing`, used by this product's own tests and by hosts' tests. Each accepted
// connection runs a script: challenge or not, how `connect` is answered, what happens after hello-ok, how
// requests are answered. Every frame received is kept for assertions. `close()` ends every socket and the
// server, leaving no handle behind.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireError } from '../protocol/index.js';

/** What the fake does at a point of the script. */
export type FakeAction =
  | { kind: 'raw'; text: string }
  | { kind: 'binary'; data: Buffer }
  | { kind: 'event'; event: string; payload?: unknown; seq?: number }
  | { kind: 'response'; id: string; ok: boolean; payload?: unknown; error?: WireError }
  /** A text frame of about `bytes` bytes (a valid event, so only its size is at fault). */
  | { kind: 'oversized'; bytes: number }
  | { kind: 'close'; code: number; reason?: string }
  | { kind: 'terminate' };

export type ConnectAnswer =
  | 'hello-ok'
  /** Never answer `connect` (a stalled handshake). */
  | 'ignore'
  /** Answer with this hello-ok payload instead (missing fields, wrong protocol ...). */
  | { helloOk: (base: Record<string, unknown>) => unknown }
  /** Refuse, then close with `close` unless it is `null` (a gateway that forgets to close). */
  | { error: WireError; close?: { code: number; reason: string } | null };

export type RequestAnswer =
  | { ok: true; payload?: unknown }
  | { ok: false; error: WireError }
  /** Do not answer at all. */
  | 'ignore'
  | FakeAction[];

export interface GatewayScript {
  /** Send `connect.challenge` on open (default true), or this payload instead of a valid one. */
  challenge?: boolean | { payload: unknown };
  connect?: ConnectAnswer;
  /** Run right after hello-ok is sent. */
  afterHello?: FakeAction[];
  /** How non-connect requests are answered; default `{ ok: true, payload: { method } }`. */
  onRequest?: (frame: ReceivedRequest, connection: FakeConnection) => RequestAnswer;
  /** Extra fields merged into the default hello-ok (e.g. `auth.deviceToken`). */
  hello?: (base: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Answer `device.pair.remove` like the real gateway: every connection whose `connect` carried that device id
   * is invalidated at once (`invalidatedAt`) and closed with 4001 "device removed"; an unknown id is refused.
   */
  deviceRemoval?: boolean;
}

export interface ReceivedRequest {
  type: 'req';
  id: string;
  method: string;
  params?: unknown;
}

export interface FakeConnection {
  readonly index: number;
  /** Every frame received, parsed (non-JSON text kept as `{ unparsed }`). */
  readonly received: unknown[];
  /** `connect` params, once received. */
  connectParams: Record<string, unknown> | undefined;
  readonly challengeNonce: string;
  readonly challengeTs: number;
  /** Close code and reason as the fake saw them, once closed. */
  closed: { code: number; reason: string } | undefined;
  /** `performance.now()` when hello-ok was sent. */
  authenticatedAt: number | undefined;
  /** `performance.now()` when a device removal invalidated it (it no longer counts as authenticated). */
  invalidatedAt: number | undefined;
  run(actions: FakeAction[]): void;
  readonly socket: WebSocket;
}

export interface FakeGateway {
  readonly url: string;
  readonly port: number;
  readonly connections: FakeConnection[];
  /** Resolves once `count` connections were accepted. */
  waitForConnections(count: number): Promise<void>;
  /** Resolves once connection `index` is closed. */
  waitForClose(index: number): Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** A valid hello-ok payload like the real gateway's, trimmed to what clients read. */
export function helloOkPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello-ok',
    protocol: 4,
    server: { version: '2026.9.6-fake', bootId: 'boot-fake-1', connId: 'conn-fake-1' },
    features: { methods: ['health', 'status', 'last-heartbeat'], events: ['tick', 'shutdown', 'health'], capabilities: [] },
    snapshot: {},
    auth: { method: 'token', role: 'operator', scopes: ['operator.admin'] },
    policy: { maxPayload: 26_214_400, maxBufferedBytes: 52_428_800, tickIntervalMs: 30_000 },
    ...overrides,
  };
}

/**
 * Starts the fake on 127.0.0.1 and an OS-chosen port. `scripts` is one script for every connection, or a
 * list used in order (the last repeats).
 */
export async function startFakeGateway(scripts: GatewayScript | GatewayScript[] = {}): Promise<FakeGateway> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const connections: FakeConnection[] = [];
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const until = (test: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      if (test()) return resolve();
      const listener = (): void => {
        if (!test()) return;
        listeners.delete(listener);
        resolve();
      };
      listeners.add(listener);
    });

  server.on('connection', (socket) => {
    const index = connections.length;
    const list = Array.isArray(scripts) ? scripts : [scripts];
    const script = list[Math.min(index, list.length - 1)] ?? {};
    connections.push(runConnection(index, socket, script, changed, connections));
    changed();
  });

  return {
    url: `ws://127.0.0.1:${port}/`,
    port,
    connections,
    waitForConnections: (count) => until(() => connections.length >= count),
    async waitForClose(index) {
      await until(() => connections[index]?.closed !== undefined);
      return connections[index]!.closed!;
    },
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      listeners.clear();
    },
  };
}

function runConnection(index: number, socket: WebSocket, script: GatewayScript, changed: () => void, all: readonly FakeConnection[]): FakeConnection {
  const connection: FakeConnection = {
    index,
    received: [],
    connectParams: undefined,
    challengeNonce: `nonce-${index}-${Math.random().toString(36).slice(2)}`,
    challengeTs: Date.now(),
    closed: undefined,
    authenticatedAt: undefined,
    invalidatedAt: undefined,
    socket,
    run: (actions) => runActions(socket, actions),
  };
  socket.on('close', (code, reason) => {
    connection.closed = { code, reason: reason.toString() };
    changed();
  });
  socket.on('error', () => {});
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = { unparsed: text };
    }
    connection.received.push(frame);
    changed();
    if (!isRequest(frame)) return;
    if (frame.method === 'connect') {
      connection.connectParams = frame.params as Record<string, unknown>;
      answerConnect(connection, frame, script);
    } else {
      if (script.deviceRemoval && frame.method === 'device.pair.remove') removeDevice(connection, frame, all);
      else answerRequest(connection, frame, script);
    }
  });
  if (script.challenge !== false) {
    const payload =
      typeof script.challenge === 'object' ? script.challenge.payload : { nonce: connection.challengeNonce, ts: connection.challengeTs };
    socket.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload }));
  }
  return connection;
}

function answerConnect(connection: FakeConnection, frame: ReceivedRequest, script: GatewayScript): void {
  const answer = script.connect ?? 'hello-ok';
  if (answer === 'ignore') return;
  const socket = connection.socket;
  if (answer === 'hello-ok' || 'helloOk' in answer) {
    const base = helloOkPayload({ server: { version: '2026.9.6-fake', bootId: 'boot-fake-1', connId: `conn-${connection.index}` } });
    const merged = script.hello ? script.hello(base) : base;
    const payload = answer === 'hello-ok' ? merged : answer.helloOk(merged);
    socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload }));
    connection.authenticatedAt = performance.now();
    if (answer === 'hello-ok' && script.afterHello) runActions(socket, script.afterHello);
    return;
  }
  socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error: answer.error }));
  const close = answer.close === undefined ? { code: 1008, reason: answer.error.message.slice(0, 100) } : answer.close;
  if (close !== null) socket.close(close.code, close.reason);
}

function answerRequest(connection: FakeConnection, frame: ReceivedRequest, script: GatewayScript): void {
  const answer = script.onRequest ? script.onRequest(frame, connection) : { ok: true as const, payload: { method: frame.method } };
  if (answer === 'ignore') return;
  if (Array.isArray(answer)) return runActions(connection.socket, answer);
  connection.socket.send(
    JSON.stringify(
      answer.ok ? { type: 'res', id: frame.id, ok: true, payload: answer.payload } : { type: 'res', id: frame.id, ok: false, error: answer.error },
    ),
  );
}

/** The real gateway's `device.pair.remove`: its clients with that device are invalidated at once, then closed. */
function removeDevice(connection: FakeConnection, frame: ReceivedRequest, all: readonly FakeConnection[]): void {
  const deviceId = (frame.params as { deviceId?: unknown } | undefined)?.deviceId;
  const holders = all.filter((c) => (c.connectParams?.device as { id?: unknown } | undefined)?.id === deviceId);
  if (typeof deviceId !== 'string' || holders.length === 0) {
    const error = { code: 'INVALID_REQUEST', message: 'unknown deviceId' };
    connection.socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: false, error }));
    return;
  }
  connection.socket.send(JSON.stringify({ type: 'res', id: frame.id, ok: true, payload: { deviceId } }));
  for (const holder of holders) {
    if (holder.closed !== undefined || holder.invalidatedAt !== undefined) continue;
    holder.invalidatedAt = performance.now();
    holder.socket.close(4001, 'device removed');
  }
}

function runActions(socket: WebSocket, actions: FakeAction[]): void {
  for (const action of actions) {
    if (socket.readyState !== socket.OPEN) return;
    switch (action.kind) {
      case 'raw':
        socket.send(action.text);
        break;
      case 'binary':
        socket.send(action.data, { binary: true });
        break;
      case 'event':
        socket.send(JSON.stringify({ type: 'event', event: action.event, payload: action.payload, seq: action.seq }));
        break;
      case 'response':
        socket.send(JSON.stringify({ type: 'res', id: action.id, ok: action.ok, payload: action.payload, error: action.error }));
        break;
      case 'oversized':
        socket.send(JSON.stringify({ type: 'event', event: 'blob', payload: 'x'.repeat(action.bytes) }));
        break;
      case 'close':
        socket.close(action.code, action.reason ?? '');
        break;
      case 'terminate':
        socket.terminate();
        break;
    }
  }
}

function isRequest(frame: unknown): frame is ReceivedRequest {
  return typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'req';
}
