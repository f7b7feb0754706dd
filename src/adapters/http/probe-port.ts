// What is on the gateway's port before a managed start. A gateway bound to a taken port retries the bind
// for ~22 s and exits 1 (openclaw-facts); asking first turns that into an answer within a second:
// nothing (free), an OpenClaw gateway (it greets every WebSocket with `connect.challenge`), or something
// else (foreign).
import WebSocket from 'ws';
import type { PortProbeResult } from '../../contracts/index.js';

export interface ProbePortOptions {
  host: string;
  port: number;
  /** How long a listener may take to greet us; a plain TCP listener never does. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 1_000;
// Pre-auth frames are small; anything bigger is not a challenge.
const MAX_PROBE_PAYLOAD_BYTES = 64 * 1024;

/** Classifies the listener on host:port. Never rejects. */
export function probePort(options: ProbePortOptions): Promise<PortProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    let upgraded = false;
    const socket = new WebSocket(`ws://${hostForUrl(options.host)}:${options.port}/`, {
      handshakeTimeout: timeoutMs,
      maxPayload: MAX_PROBE_PAYLOAD_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
    });
    const finish = (result: PortProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      // Keep a listener: a late error on a socket we are discarding must not become an uncaught one.
      socket.on('error', () => {});
      if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'probe');
      else socket.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({
        kind: 'foreign',
        detail: upgraded
          ? `a WebSocket server that sent no connect.challenge within ${timeoutMs} ms`
          : `a listener that did not answer a WebSocket upgrade within ${timeoutMs} ms`,
      });
    }, timeoutMs);

    socket.on('upgrade', () => {
      upgraded = true;
    });
    socket.on('message', (data, isBinary) => {
      finish(
        isChallenge(data, isBinary)
          ? { kind: 'gateway' }
          : { kind: 'foreign', detail: 'a WebSocket server whose first frame is not connect.challenge' },
      );
    });
    socket.on('unexpected-response', (_request, response) => {
      finish({ kind: 'foreign', detail: `an HTTP server that answered the upgrade with ${response.statusCode ?? 'no status'}` });
    });
    socket.on('close', (code) => {
      finish({ kind: 'foreign', detail: `a WebSocket server that closed with ${code} before any challenge` });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (isRefused(error)) finish({ kind: 'free' });
      else finish({ kind: 'foreign', detail: `a listener that broke the connection (${error.code ?? error.message})` });
    });
  });
}

function isChallenge(data: WebSocket.RawData, isBinary: boolean): boolean {
  if (isBinary) return false;
  try {
    const frame: unknown = JSON.parse(data.toString());
    return (
      typeof frame === 'object' &&
      frame !== null &&
      (frame as { type?: unknown }).type === 'event' &&
      (frame as { event?: unknown }).event === 'connect.challenge'
    );
  } catch {
    return false;
  }
}

// `localhost` may resolve to ::1 and 127.0.0.1; Node then reports an AggregateError of both refusals.
function isRefused(error: NodeJS.ErrnoException): boolean {
  if (error.code === 'ECONNREFUSED') return true;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => (e as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED');
}

/** IPv6 literals need brackets in a URL. */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
