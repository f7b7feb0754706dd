import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RpcSink } from '../../src/adapters/websocket/index.js';
import { ErrorCodes, SupervisorError } from '../../src/errors.js';
import { track } from '../support/settlement.js';
import { testRpcChannel } from '../support/rpc-channel.js';

function testSink(maxPayload = 1_000_000): RpcSink & { sent: string[] } {
  const sent: string[] = [];
  return { maxPayload, sent, send: (text) => void sent.push(text) };
}

const closed = () => new SupervisorError(ErrorCodes.CONNECTION_CLOSED, 'connection closed', { retryable: true });
const stopped = () => new SupervisorError(ErrorCodes.STOPPED, 'supervisor stopped');
const paused = () => new SupervisorError(ErrorCodes.CONNECTION_PAUSED, 'connection paused');

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rpc channel: deadlines', () => {
  it('rejects a sent request with REQUEST_TIMEOUT at its deadline and sends the next queued one', async () => {
    const rpc = testRpcChannel({ maxInFlight: 1, defaultTimeoutMs: 1_000 });
    const sink = testSink();
    rpc.attach(sink);
    const first = track(rpc.request('slow'));
    const second = track(rpc.request('next', undefined, { timeoutMs: 5_000 }));
    expect(sink.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.error).toBeInstanceOf(SupervisorError);
    expect(first.error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT, retryable: true, details: { method: 'slow', timeoutMs: 1_000 } });
    expect(sink.sent).toHaveLength(2);
    expect(second.settled).toBe(false);
  });

  it('times out a queued request without ever sending it', async () => {
    const rpc = testRpcChannel();
    const result = track(rpc.request('health', undefined, { timeoutMs: 200 }));
    await vi.advanceTimersByTimeAsync(200);
    expect(result.error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
    const sink = testSink();
    rpc.attach(sink);
    expect(sink.sent).toEqual([]);
  });

  it('counts a response arriving after the timeout as unknown', async () => {
    const rpc = testRpcChannel({ defaultTimeoutMs: 100 });
    rpc.attach(testSink());
    void rpc.request('health').catch(() => {});
    await vi.advanceTimersByTimeAsync(100);
    rpc.handleResponse({ type: 'res', id: 'r1', ok: true, payload: 'late' });
    expect(rpc.stats()).toMatchObject({ timedOut: 1, unknownResponses: 1 });
  });

  it('keeps one deadline timer per timeout value, not per request, and none once the link is gone', async () => {
    const rpc = testRpcChannel();
    const sink = testSink();
    rpc.attach(sink);
    const results = [track(rpc.request('a')), track(rpc.request('b')), track(rpc.request('c', undefined, { timeoutMs: 5_000 }))];
    expect(vi.getTimerCount()).toBe(2);
    rpc.handleResponse({ type: 'res', id: 'r1', ok: true });
    rpc.handleResponse({ type: 'res', id: 'r2', ok: false, error: { code: 'INVALID_REQUEST', message: 'bad' } });
    rpc.handleResponse({ type: 'res', id: 'r3', ok: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(results.every((r) => r.settled)).toBe(true);
    // While attached the lanes' timers stay armed for the next request; a detach lets them go.
    const more = track(rpc.request('d'));
    expect(vi.getTimerCount()).toBe(2);
    rpc.handleResponse({ type: 'res', id: 'r4', ok: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(more.settled).toBe(true);
    rpc.detach(closed(), sink);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an armed timer that fires with nothing due re-arms for the oldest request left, which times out on time', async () => {
    const rpc = testRpcChannel({ defaultTimeoutMs: 1_000 });
    rpc.attach(testSink());
    const first = track(rpc.request('a'));
    await vi.advanceTimersByTimeAsync(600);
    const second = track(rpc.request('b'));
    rpc.handleResponse({ type: 'res', id: 'r1', ok: true });
    // The lane's timer was armed for `a` (at 1,000 ms); `b` is due at 1,600 ms.
    await vi.advanceTimersByTimeAsync(400);
    expect(first.settled && first.error).toBe(undefined);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(599);
    expect(second.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(second.error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects a non-positive timeout and params that cannot be serialized, naming the field', async () => {
    const rpc = testRpcChannel();
    await expect(rpc.request('a', undefined, { timeoutMs: 0 })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, field: 'timeoutMs' });
    await expect(rpc.request('a', { n: 1n })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_INVALID, field: 'params' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('rpc channel: detach, refuse, close', () => {
  it('detach rejects in-flight requests with the given error and keeps queued ones for the next sink', async () => {
    const rpc = testRpcChannel({ maxInFlight: 1 });
    const first = testSink();
    rpc.attach(first);
    const sent = track(rpc.request('a'));
    const queued = track(rpc.request('b'));
    const error = closed();
    rpc.detach(error);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.error).toBe(error);
    expect(queued.settled).toBe(false);
    const second = testSink();
    rpc.attach(second);
    expect(second.sent.map((t) => JSON.parse(t).method)).toEqual(['b']);
  });

  it('detach naming a sink that is no longer attached changes nothing', async () => {
    const rpc = testRpcChannel();
    const old = testSink();
    const current = testSink();
    rpc.attach(current);
    const result = track(rpc.request('a'));
    rpc.detach(closed(), old);
    await vi.advanceTimersByTimeAsync(0);
    expect(result.settled).toBe(false);
    expect(rpc.stats().attached).toBe(true);
  });

  it('attaching a new sink rejects what was in flight on the old one', async () => {
    const rpc = testRpcChannel();
    rpc.attach(testSink());
    const result = track(rpc.request('a'));
    rpc.attach(testSink());
    await vi.advanceTimersByTimeAsync(0);
    expect(result.error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED, retryable: true });
  });

  it('refuse rejects queued, retry-waiting and new requests at once, and lifting it resumes sending', async () => {
    const rpc = testRpcChannel({ maxInFlight: 1 });
    const sink = testSink();
    rpc.attach(sink);
    const retrying = track(rpc.request('a'));
    const sent = track(rpc.request('b'));
    const queued = track(rpc.request('c'));
    // a is answered busy and waits for its retry; b takes its slot; c stays queued.
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: { code: 'UNAVAILABLE', message: 'busy', retryable: true, retryAfterMs: 100 } });
    expect(rpc.stats()).toMatchObject({ waitingRetry: 1, inFlight: 1, queued: 1 });
    const error = paused();
    rpc.refuse(error);
    const refused = track(rpc.request('d'));
    await vi.advanceTimersByTimeAsync(0);
    expect(retrying.error).toBe(error);
    expect(queued.error).toBe(error);
    expect(refused.error).toBe(error);
    expect(sent.settled).toBe(false); // in flight: its answer or the socket's close settles it
    rpc.refuse(null);
    const later = track(rpc.request('e'));
    rpc.handleResponse({ type: 'res', id: 'r2', ok: true, payload: 'B' });
    expect(sink.sent.map((t) => JSON.parse(t).method)).toEqual(['a', 'b', 'e']);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.value).toBe('B');
    expect(later.settled).toBe(false);
  });

  it('close settles in-flight, queued and waiting requests and every later one, leaving no timer', async () => {
    const rpc = testRpcChannel({ maxInFlight: 1 });
    rpc.attach(testSink());
    const all = [track(rpc.request('a')), track(rpc.request('b')), track(rpc.request('c'))];
    rpc.handleResponse({ type: 'res', id: 'r1', ok: false, error: { code: 'UNAVAILABLE', message: 'busy', retryable: true, retryAfterMs: 100 } });
    const error = stopped();
    rpc.close(error);
    const after = track(rpc.request('d'));
    await vi.advanceTimersByTimeAsync(0);
    expect([...all, after].map((r) => r.error)).toEqual([error, error, error, error]);
    expect(rpc.stats()).toMatchObject({ closed: true, inFlight: 0, queued: 0, waitingRetry: 0 });
    expect(vi.getTimerCount()).toBe(0);
    rpc.attach(testSink());
    expect(rpc.stats().attached).toBe(false);
  });
});

describe('rpc channel: payload limit', () => {
  it('fails a frame above maxPayload with PAYLOAD_TOO_LARGE without sending it, and sends the next', async () => {
    const rpc = testRpcChannel();
    const sink = testSink(200);
    rpc.attach(sink);
    const big = track(rpc.request('chat.send', { text: 'é'.repeat(100) }));
    const small = track(rpc.request('health'));
    await vi.advanceTimersByTimeAsync(0);
    expect(big.error).toMatchObject({ code: ErrorCodes.PAYLOAD_TOO_LARGE, details: { maxPayload: 200 } });
    expect((big.error as SupervisorError).details.bytes).toBeGreaterThan(200);
    expect(sink.sent.map((t) => JSON.parse(t).method)).toEqual(['health']);
    expect(small.settled).toBe(false);
  });

  it('checks a request queued before attach against the limit of the sink it would go to', async () => {
    const rpc = testRpcChannel();
    const big = track(rpc.request('x', { blob: 'a'.repeat(500) }));
    const sink = testSink(300);
    rpc.attach(sink);
    await vi.advanceTimersByTimeAsync(0);
    expect(big.error).toMatchObject({ code: ErrorCodes.PAYLOAD_TOO_LARGE });
    expect(sink.sent).toEqual([]);
  });
});
