// Closing a ws socket so that it always ends: a close frame when open, a grace period for the gateway to
// answer it, then terminate. Also remembers that we closed first, so `socket.closed` reports our code.
import { Buffer } from 'node:buffer';
import WebSocket from 'ws';
import { scrubSecrets } from '../../redact.js';

export interface SocketCloser {
  /** Starts closing with `code` (sent as 1000 when the code may not go on the wire). */
  close(code: number, reason: string): void;
  /** The code and reason we closed with, if we closed first. */
  local(): { code: number; reason: string } | null;
  /** The socket is closed: drop the grace timer. */
  settled(): void;
  /**
   * The owner is gone: end the socket. Resolves once it has closed (a close frame answered, or terminated
   * after the grace), or undefined when it already was; its only timer is the grace, gone with the close.
   */
  abandon(): Promise<void> | undefined;
}

export function createSocketCloser(ws: WebSocket, closeGraceMs: number): SocketCloser {
  let local: { code: number; reason: string } | null = null;
  let graceTimer: NodeJS.Timeout | undefined;

  const clearGrace = (): void => {
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    graceTimer = undefined;
  };

  return {
    close(code, reason) {
      if (local !== null) return;
      local = { code, reason };
      if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.close(sendableCloseCode(code), closeReasonForWire(reason));
      if (ws.readyState !== WebSocket.CLOSED) {
        graceTimer = setTimeout(() => {
          graceTimer = undefined;
          ws.terminate();
        }, closeGraceMs);
      }
    },
    local: () => local,
    settled: clearGrace,
    abandon() {
      clearGrace();
      if (ws.readyState === WebSocket.CLOSED) return undefined;
      const ended = new Promise<void>((resolve) => {
        ws.once('close', () => {
          clearGrace();
          resolve();
        });
      });
      // A polite close frame when we can, and the same grace as any close of ours before terminating.
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client stopped');
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      // terminate() may have closed it already (TypeScript keeps the narrowing from above, hence the read).
      if ((ws.readyState as number) !== WebSocket.CLOSED) {
        graceTimer = setTimeout(() => {
          graceTimer = undefined;
          ws.terminate();
        }, closeGraceMs);
      }
      return ended;
    },
  };
}

/** RFC 6455 codes an endpoint may send; 1005, 1006 and 1015 are report-only. */
export function sendableCloseCode(code: number): number {
  const valid = (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
  return valid ? code : 1000;
}

/** Close reasons are limited to 123 UTF-8 bytes on the wire. */
function closeReasonForWire(reason: string): string {
  if (Buffer.byteLength(reason, 'utf8') <= 123) return reason;
  let cut = reason.slice(0, 123);
  while (Buffer.byteLength(cut, 'utf8') > 123) cut = cut.slice(0, -1);
  return cut;
}

/** An error's message with known secrets replaced; never the stack, never the raw error object. */
export function describeError(error: unknown, secrets: ReadonlyArray<string | undefined>): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubSecrets(message, secrets);
}
