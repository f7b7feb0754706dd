// The protocol floor: a minimal `ws` client with no validation, no retry and no queue. It waits for
// `connect.challenge`, sends `connect`, and correlates responses through a Map of pending ids. Failed
// responses resolve (not reject) so a benchmark can count refusals such as UNAVAILABLE "server busy".
import WebSocket from 'ws';

export interface RawResponse {
  ok: boolean;
  payload?: unknown;
  error?: { code: string; message: string; retryable?: boolean; retryAfterMs?: number };
}

export interface RawClient {
  request(method: string, params?: unknown): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawConnectOptions {
  scopes?: string[];
  /** Give up on a handshake that takes longer than this. */
  timeoutMs?: number;
}

/** Opens one connection and resolves at hello-ok; rejects on refusal, close or timeout. */
export function connectRaw(url: string, token: string, options: RawConnectOptions = {}): Promise<RawClient> {
  const scopes = options.scopes ?? ['operator.admin'];
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<string, (response: RawResponse) => void>();
  let nextId = 0;
  let closed: Promise<void> | undefined;

  const client: RawClient = {
    request(method, params) {
      const id = String(++nextId);
      return new Promise<RawResponse>((done) => {
        pending.set(id, done);
        ws.send(`{"type":"req","id":"${id}","method":"${method}","params":${JSON.stringify(params ?? {})}}`);
      });
    },
    close() {
      closed ??= new Promise<void>((done) => {
        if (ws.readyState === WebSocket.CLOSED) return done();
        ws.once('close', () => done());
        ws.close(1000);
      });
      return closed;
    },
  };

  return new Promise<RawClient>((resolveHello, rejectHello) => {
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      rejectHello(new Error(reason));
    };
    const timer = setTimeout(() => fail('handshake timeout'), options.timeoutMs ?? 30_000);
    ws.on('error', (error) => fail(`socket error: ${error.message}`));
    ws.on('close', (code, reason) => {
      fail(`closed ${code} ${reason.toString()}`);
      const closedError: RawResponse = { ok: false, error: { code: 'CLOSED', message: `closed ${code}` } };
      for (const done of pending.values()) done(closedError);
      pending.clear();
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        type: string;
        id?: string;
        event?: string;
        ok?: boolean;
        payload?: unknown;
        error?: RawResponse['error'];
      };
      if (frame.type === 'res' && frame.id !== undefined) {
        if (frame.id === 'connect') {
          if (frame.ok === true) {
            settled = true;
            clearTimeout(timer);
            resolveHello(client);
          } else {
            fail(`connect refused: ${frame.error?.code ?? '?'} ${frame.error?.message ?? ''}`);
          }
          return;
        }
        const done = pending.get(frame.id);
        if (done === undefined) return;
        pending.delete(frame.id);
        done(frame.ok === true ? { ok: true, payload: frame.payload } : { ok: false, ...(frame.error ? { error: frame.error } : {}) });
        return;
      }
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        ws.send(
          JSON.stringify({
            type: 'req',
            id: 'connect',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: 'gateway-client', version: 'bench', platform: process.platform, mode: 'backend' },
              role: 'operator',
              scopes,
              caps: [],
              auth: { token },
            },
          }),
        );
      }
    });
  });
}

export interface WaitForHelloOkOptions extends RawConnectOptions {
  /** Pause between failed attempts. */
  retryIntervalMs?: number;
  /** Give up after this long in total. */
  deadlineMs?: number;
}

/**
 * The oracle for readiness: retry connect + handshake every `retryIntervalMs` until hello-ok. Connection
 * refusals, 1013 "gateway starting" closes and UNAVAILABLE replies all count as "not yet".
 */
export async function waitForHelloOk(
  url: string,
  token: string,
  options: WaitForHelloOkOptions = {},
): Promise<{ client: RawClient; attempts: number }> {
  const retryIntervalMs = options.retryIntervalMs ?? 10;
  const deadline = performance.now() + (options.deadlineMs ?? 90_000);
  let attempts = 0;
  let lastError = 'no attempt';
  while (performance.now() < deadline) {
    attempts += 1;
    try {
      const client = await connectRaw(url, token, {
        ...options,
        timeoutMs: Math.max(1, Math.min(options.timeoutMs ?? 20_000, deadline - performance.now())),
      });
      return { client, attempts };
    } catch (error) {
      lastError = (error as Error).message;
      await new Promise((r) => setTimeout(r, retryIntervalMs));
    }
  }
  throw new Error(`no hello-ok from ${url} after ${attempts} attempts; last: ${lastError}`);
}
