// A loopback TCP proxy between a client and a gateway that breaks the link the way a user's network does,
// switched at runtime by the test: pass, reset every connection, stall (swallow the bytes both ways with
// the sockets left open), slice (forward one byte per write), delay every chunk, close after N bytes.
// Only 127.0.0.1; every socket and timer it made is gone after close().
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode =
  | { kind: 'pass' }
  /** Every open connection is reset (RST), and so is every new one until the mode changes. */
  | { kind: 'reset' }
  /** Bytes are read and dropped in both directions; TCP stays open, so only liveness checks notice. */
  | { kind: 'stall' }
  /** Every chunk is forwarded one byte per write. */
  | { kind: 'slice' }
  /** Every chunk is forwarded `ms` later (order kept). */
  | { kind: 'delay'; ms: number }
  /** A connection is closed (FIN both ways) once it has carried `bytes` bytes, counted both ways. */
  | { kind: 'closeAfter'; bytes: number };

export interface FaultProxy {
  /** ws:// URL of the proxy's listening side. */
  readonly url: string;
  readonly port: number;
  setMode(mode: FaultMode): void;
  /** Connections accepted so far, and the ones open now. */
  stats(): { accepted: number; open: number; bytesForwarded: number };
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  carried: number;
  timers: Set<NodeJS.Timeout>;
}

export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const host = target.host ?? '127.0.0.1';
  let mode: FaultMode = { kind: 'pass' };
  const pairs = new Set<Pair>();
  let accepted = 0;
  let bytesForwarded = 0;

  const server: Server = createServer((client) => {
    accepted++;
    if (mode.kind === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host, port: target.port });
    const pair: Pair = { client, upstream, carried: 0, timers: new Set() };
    pairs.add(pair);
    const end = () => {
      for (const timer of pair.timers) clearTimeout(timer);
      pair.timers.clear();
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk: Buffer) => forward(pair, chunk, upstream));
    upstream.on('data', (chunk: Buffer) => forward(pair, chunk, client));
  });

  function forward(pair: Pair, chunk: Buffer, to: Socket): void {
    const current = mode;
    switch (current.kind) {
      case 'stall':
        return;
      case 'reset':
        pair.client.resetAndDestroy();
        pair.upstream.resetAndDestroy();
        return;
      case 'pass':
        write(to, chunk);
        return;
      case 'slice':
        for (let i = 0; i < chunk.length; i++) write(to, chunk.subarray(i, i + 1));
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          pair.timers.delete(timer);
          write(to, chunk);
        }, current.ms);
        pair.timers.add(timer);
        return;
      }
      case 'closeAfter': {
        const room = current.bytes - pair.carried;
        if (room > 0) write(to, chunk.subarray(0, room));
        pair.carried += Math.min(chunk.length, Math.max(room, 0));
        if (pair.carried >= current.bytes) {
          pair.client.end();
          pair.upstream.end();
        }
        return;
      }
    }
  }

  function write(to: Socket, bytes: Buffer): void {
    if (to.destroyed || !to.writable) return;
    bytesForwarded += bytes.length;
    to.write(bytes);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');
  const port = address.port;

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    setMode(next) {
      mode = next;
      if (next.kind === 'reset') {
        for (const pair of [...pairs]) {
          pair.client.resetAndDestroy();
          pair.upstream.resetAndDestroy();
        }
      }
      if (next.kind === 'closeAfter') for (const pair of pairs) pair.carried = 0;
    },
    stats: () => ({ accepted, open: pairs.size, bytesForwarded }),
    async close() {
      for (const pair of [...pairs]) {
        for (const timer of pair.timers) clearTimeout(timer);
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
