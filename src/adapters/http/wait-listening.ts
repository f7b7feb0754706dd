// Waits until something accepts TCP connections on host:port, by trying to connect every `intervalMs`.
// A connect attempt is the signal itself, so this is not a sleep: it answers within one interval of
// the listener appearing, and an AbortSignal bounds it.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitListeningOptions {
  host: string;
  port: number;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  intervalMs?: number;
}

/** Resolves once a TCP connection to host:port succeeds (the probe connection is closed at once). */
export async function waitForListening(options: WaitListeningOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 50;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryConnect(options.host, options.port, options.signal)) return;
    try {
      await sleep(intervalMs, undefined, { signal: options.signal });
    } catch {
      // Aborted: Node's AbortError is generic; the check at the top of the loop throws the signal's own reason.
    }
  }
}

/** True if a TCP connection to host:port can be opened now. */
export function tryConnect(host: string, port: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = (): void => done(false);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
