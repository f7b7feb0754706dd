// policy.maxBufferedBytes: while the socket holds more unsent bytes than the gateway allows, requests wait
// in the queue (inside their own deadlines) instead of growing the socket's buffer, and go out once it drains.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RpcSink } from '../../src/adapters/websocket/index.js';
import { testRpcChannel } from '../support/rpc-channel.js';
import { track } from '../support/settlement.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function congestibleSink(maxBufferedBytes: number) {
  let buffered = 0;
  const drains: Array<() => void> = [];
  const sent: string[] = [];
  const sink: RpcSink = {
    maxPayload: 1_000_000,
    send: (text) => {
      sent.push(text);
      buffered += text.length;
    },
    congested: () => buffered > maxBufferedBytes,
    onDrain: (fn) => void drains.push(fn),
  };
  return {
    sink,
    sent,
    /** The socket wrote everything out. */
    flush() {
      buffered = 0;
      for (const fn of drains.splice(0)) fn();
    },
    drainsWaiting: () => drains.length,
  };
}

describe('rpc channel: the socket buffer bound', () => {
  it('stops sending while the socket is congested, and sends the queue in order once it drains', async () => {
    const rpc = testRpcChannel({ maxInFlight: 100 });
    const link = congestibleSink(200);
    rpc.attach(link.sink);
    const big = 'x'.repeat(60);
    const results = Array.from({ length: 5 }, (_, i) => track(rpc.request(`m${i}`, { big })));
    // Two frames (~105 bytes each) pass the 200-byte bound: the rest wait.
    expect(link.sent).toHaveLength(2);
    expect(rpc.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    expect(link.drainsWaiting()).toBe(1);

    link.flush();
    expect(link.sent).toHaveLength(4);
    link.flush();
    expect(link.sent.map((t) => (JSON.parse(t) as { method: string }).method)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await vi.advanceTimersByTimeAsync(0);
    expect(results.every((r) => !r.settled)).toBe(true);
  });

  it('a request waiting behind a congested socket still settles at its deadline', async () => {
    const rpc = testRpcChannel({ maxInFlight: 100 });
    const link = congestibleSink(0);
    rpc.attach(link.sink);
    const first = track(rpc.request('a', undefined, { timeoutMs: 1_000 }));
    const second = track(rpc.request('b', undefined, { timeoutMs: 1_000 }));
    expect(link.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first).toMatchObject({ settled: true, error: { code: 'REQUEST_TIMEOUT' } });
    expect(second).toMatchObject({ settled: true, error: { code: 'REQUEST_TIMEOUT' } });
    expect(rpc.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });
});
