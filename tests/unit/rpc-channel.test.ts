import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RpcSink } from '../../src/adapters/websocket/index.js';
import { ErrorCodes, GatewayRequestError, SupervisorError } from '../../src/errors.js';
import { track } from '../support/settlement.js';
import { testRpcChannel } from '../support/rpc-channel.js';

interface TestSink extends RpcSink {
  frames: { id: string; method: string; params?: unknown }[];
}

function testSink(maxPayload = 1_000_000): TestSink {
  const frames: TestSink['frames'] = [];
  return { maxPayload, frames, send: (text) => void frames.push(JSON.parse(text)) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rpc channel: window and queue', () => {
  it('keeps at most maxInFlight requests sent and sends the rest in FIFO order as answers arrive', async () => {
    const rpc = testRpcChannel({ maxInFlight: 2 });
    const sink = testSink();
    rpc.attach(sink);
    const results = ['a', 'b', 'c', 'd'].map((m) => track(rpc.request(m)));
    expect(sink.frames.map((f) => f.method)).toEqual(['a', 'b']);
    expect(rpc.stats()).toMatchObject({ inFlight: 2, queued: 2 });

    rpc.handleResponse({ type: 'res', id: sink.frames[1]!.id, ok: true, payload: 'B' });
    expect(sink.frames.map((f) => f.method)).toEqual(['a', 'b', 'c']);
    rpc.handleResponse({ type: 'res', id: sink.frames[0]!.id, ok: true, payload: 'A' });
    expect(sink.frames.map((f) => f.method)).toEqual(['a', 'b', 'c', 'd']);
    await vi.advanceTimersByTimeAsync(0);
    expect(results[0]).toMatchObject({ settled: true, value: 'A' });
    expect(results[1]).toMatchObject({ settled: true, value: 'B' });
    expect(results[2]!.settled).toBe(false);
  });

  it('queues requests made before attach and sends them with their params once a sink attaches', () => {
    const rpc = testRpcChannel();
    void rpc.request('health');
    void rpc.request('status', { probe: true });
    expect(rpc.stats()).toMatchObject({ attached: false, queued: 2, inFlight: 0 });
    const sink = testSink();
    rpc.attach(sink);
    expect(sink.frames).toEqual([
      { type: 'req', id: 'r1', method: 'health' },
      { type: 'req', id: 'r2', method: 'status', params: { probe: true } },
    ]);
  });

  it('ignores a response for an unknown id and counts it', () => {
    const rpc = testRpcChannel();
    const sink = testSink();
    rpc.attach(sink);
    const pending = track(rpc.request('health'));
    rpc.handleResponse({ type: 'res', id: 'nope', ok: true, payload: 1 });
    expect(rpc.stats()).toMatchObject({ unknownResponses: 1, inFlight: 1 });
    expect(pending.settled).toBe(false);
  });

  it('settles 1,000 concurrent requests against a gateway that answers busy to a third of first attempts', async () => {
    const rpc = testRpcChannel({ maxInFlight: 32 });
    let maxSeenInFlight = 0;
    const outstanding: string[] = [];
    const attempts = new Map<string, number>();
    rpc.attach({
      maxPayload: 1_000_000,
      send(text) {
        outstanding.push((JSON.parse(text) as { id: string }).id);
        maxSeenInFlight = Math.max(maxSeenInFlight, outstanding.length);
      },
    });
    const results = Array.from({ length: 1_000 }, (_, i) => track(rpc.request('last-heartbeat', { i })));
    for (let round = 0; round < 10_000 && results.some((r) => !r.settled); round++) {
      const batch = outstanding.splice(0);
      for (const id of batch) {
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        const busy = attempt === 1 && Number(id.slice(1)) % 3 === 0;
        rpc.handleResponse(
          busy
            ? { type: 'res', id, ok: false, error: { code: 'UNAVAILABLE', message: 'The server is busy', retryable: true } }
            : { type: 'res', id, ok: true, payload: { id } },
        );
      }
      await vi.advanceTimersByTimeAsync(batch.length === 0 ? 50 : 0);
    }
    expect(results.every((r) => r.settled && r.error === undefined)).toBe(true);
    expect(maxSeenInFlight).toBeLessThanOrEqual(32);
    expect(rpc.stats()).toMatchObject({ succeeded: 1_000, failed: 0, retried: 333, inFlight: 0, queued: 0 });
    // One deadline timer for the lot (one timeout value), none once the link is gone.
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    rpc.detach(new SupervisorError(ErrorCodes.CONNECTION_CLOSED, 'closed'));
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('rpc channel: retrying a busy gateway', () => {
  const busy = (retryAfterMs?: number) => ({
    code: 'UNAVAILABLE',
    message: 'The server is busy',
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

  it('resends after the gateway-given retryAfterMs, with the same id, and resolves', async () => {
    const rpc = testRpcChannel();
    const sink = testSink();
    rpc.attach(sink);
    const result = track(rpc.request('health'));
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: busy(500) });
    expect(rpc.stats()).toMatchObject({ waitingRetry: 1, inFlight: 0, retried: 1 });
    await vi.advanceTimersByTimeAsync(499);
    expect(sink.frames).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sink.frames.map((f) => f.id)).toEqual(['r1', 'r1']);
    rpc.handleResponse({ type: 'res', id: 'r1', ok: true, payload: 'ok' });
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toMatchObject({ settled: true, value: 'ok' });
  });

  it('backs off on the busy-retry policy (initial delay doubling to its ceiling) without retryAfterMs', async () => {
    const rpc = testRpcChannel({ busyRetry: { initialDelayMs: 100, maxDelayMs: 300 }, defaultTimeoutMs: 60_000 });
    const sink = testSink();
    rpc.attach(sink);
    void rpc.request('health');
    const sendTimes: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 4; i++) {
      rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: busy() });
      const before = sink.frames.length;
      for (let waitedMs = 0; sink.frames.length === before && waitedMs < 5_000; waitedMs += 10) {
        await vi.advanceTimersByTimeAsync(10);
      }
      sendTimes.push(Date.now() - start);
    }
    const gaps = sendTimes.map((t, i) => t - (sendTimes[i - 1] ?? 0));
    expect(gaps).toEqual([100, 200, 300, 300]);
  });

  it('gives up with the gateway error when the next attempt would pass the deadline', async () => {
    const rpc = testRpcChannel();
    rpc.attach(testSink());
    const result = track(rpc.request('health', undefined, { timeoutMs: 1_000 }));
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: busy(2_000) });
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toBeInstanceOf(GatewayRequestError);
    expect(result.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, method: 'health' });
    // No retry timer; the deadline lane's timer goes with the link.
    expect(vi.getTimerCount()).toBe(1);
    rpc.detach(new SupervisorError(ErrorCodes.CONNECTION_CLOSED, 'closed'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not retry other gateway errors', async () => {
    const rpc = testRpcChannel();
    rpc.attach(testSink());
    const result = track(rpc.request('channels.start'));
    const error = { code: 'FORBIDDEN', message: 'missing scope', details: { code: 'MISSING_SCOPE', missingScope: 'operator.admin' } };
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error });
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toBeInstanceOf(GatewayRequestError);
    expect(result.error).toMatchObject({ code: 'FORBIDDEN', details: { missingScope: 'operator.admin' }, retryable: false });
    expect(rpc.stats().retried).toBe(0);
  });

  it('does not retry UNAVAILABLE that is not marked retryable', async () => {
    const rpc = testRpcChannel();
    rpc.attach(testSink());
    const result = track(rpc.request('health'));
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: { code: 'UNAVAILABLE', message: 'down' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ code: 'UNAVAILABLE' });
  });
});
