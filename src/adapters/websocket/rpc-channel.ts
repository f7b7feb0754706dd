// Request correlation for one logical connection, independent of any socket so it can be tested with fake
// timers; deadlines share one timer per timeout value (request-deadlines.ts), not one per request. A socket attaches a sink at hello-ok and detaches it on close; requests made in between queue.
// Every request settles exactly once: a result, a GatewayRequestError, or a SupervisorError
// (REQUEST_TIMEOUT, CONNECTION_CLOSED, STOPPED / the refusal given, PAYLOAD_TOO_LARGE, CONFIG_INVALID).
import { Buffer } from 'node:buffer';
import { ConfigError, ErrorCodes, GatewayRequestError, SupervisorError } from '../../errors.js';
import { serializeRequest, type ResponseFrame, type WireErrorShape } from '../../protocol/index.js';
import { createRequestDeadlines } from './request-deadlines.js';
import { createRequestQueue } from './request-queue.js';

/** Where request frames go: a socket after hello-ok, with the gateway's `policy.maxPayload`. */
export interface RpcSink {
  /** Sends one text frame. Must not throw: a closing socket drops it and its close detaches the sink. */
  send(text: string): void;
  /** Largest request frame in bytes the gateway accepts. */
  readonly maxPayload: number;
  /**
   * True while the socket holds more unsent bytes than the gateway's `policy.maxBufferedBytes`: requests
   * then wait in the queue (bounded by their own deadlines) instead of growing the socket's buffer.
   */
  congested?(): boolean;
  /** Calls `fn` once the congestion has cleared (or the sink is gone). */
  onDrain?(fn: () => void): void;
}

/** Every number comes from the runtime (src/machines/defaults.ts through the parsed options): no copies here. */
export interface RpcChannelOptions {
  /** Sent requests awaiting a response at once. */
  maxInFlight: number;
  /** A request's deadline when the caller gives none. */
  defaultTimeoutMs: number;
  /** Wait before retry `attempt` (1-based) of a busy (`UNAVAILABLE`, retryable) answer without `retryAfterMs`. */
  busyRetryDelayMs: (attempt: number) => number;
  /** Prefix of request ids; ids are unique for the channel's lifetime. */
  idPrefix?: string;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface RpcRequestOptions {
  timeoutMs?: number;
}

export interface RpcStats {
  attached: boolean;
  refused: boolean;
  closed: boolean;
  inFlight: number;
  queued: number;
  waitingRetry: number;
  sent: number;
  succeeded: number;
  failed: number;
  retried: number;
  timedOut: number;
  /** Responses whose id matched nothing in flight (late after a timeout, or never ours). */
  unknownResponses: number;
}

export interface RpcChannel {
  request(method: string, params?: unknown, options?: RpcRequestOptions): Promise<unknown>;
  attach(sink: RpcSink): void;
  /** Rejects every in-flight request with `error`; queued ones wait for the next attach. With `sink`, only
   * acts when that sink is the attached one (a late close of a replaced socket changes nothing). A function
   * is called only when a request is in flight (an error's stack is not free, and most closes find none). */
  detach(error: SupervisorError | (() => SupervisorError), sink?: RpcSink): void;
  handleResponse(frame: ResponseFrame): void;
  /** While set, queued, waiting and new requests reject at once with it; `null` lifts it. A function is
   * called once, when the first request is refused: most refusals (a stopped supervisor) refuse nothing. */
  refuse(error: LazyError | null): void;
  /** Settles everything with `error`, and every later request too. */
  close(error: LazyError): void;
  stats(): RpcStats;
}

/** An error, or how to build it when it is first needed. */
export type LazyError = SupervisorError | (() => SupervisorError);

/** Builds a lazy error at most once. */
function once(error: LazyError): () => SupervisorError {
  if (typeof error !== 'function') return () => error;
  let built: SupervisorError | undefined;
  return () => (built ??= error());
}

const QUEUED = 0;
const IN_FLIGHT = 1;
const WAITING_RETRY = 2;
const SETTLED = 3;

interface Pending {
  readonly id: string;
  readonly method: string;
  readonly text: string;
  readonly timeoutMs: number;
  readonly deadlineAt: number;
  /** UTF-8 size, computed only when the cheap length bound cannot decide. */
  bytes: number;
  state: number;
  attempt: number;
  /** Its place among the deadlines (request-deadlines.ts): no timer of its own. */
  deadlineNode: unknown;
  retryTimer: unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createRpcChannel(options: RpcChannelOptions): RpcChannel {
  const maxInFlight = Math.max(1, options.maxInFlight);
  const { defaultTimeoutMs, busyRetryDelayMs } = options;
  const idPrefix = options.idPrefix ?? 'r';
  // Monotonic: deadlines of one timeout must grow in the order requests are made.
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number): unknown => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as NodeJS.Timeout));

  const inFlight = new Map<string, Pending>();
  const waiting = new Set<Pending>();
  const queue = createRequestQueue<Pending>((pending) => pending.state === QUEUED);
  let queuedCount = 0;
  let sink: RpcSink | null = null;
  let refusal: (() => SupervisorError) | null = null;
  let closedWith: (() => SupervisorError) | null = null;
  let pumping = false;
  /** A congested sink was asked to call back once drained; asked once, however many requests arrive. */
  let awaitingDrain = false;
  const onDrained = (): void => {
    awaitingDrain = false;
    pump();
  };
  let seq = 0;
  const counters = { sent: 0, succeeded: 0, failed: 0, retried: 0, timedOut: 0, unknownResponses: 0 };
  const deadlines = createRequestDeadlines<Pending>({ now, setTimer, clearTimer, expire: (pending) => onTimeout(pending) });

  function request(method: string, params?: unknown, requestOptions?: RpcRequestOptions): Promise<unknown> {
    if (closedWith !== null) return Promise.reject(closedWith());
    if (refusal !== null) return Promise.reject(refusal());
    const timeoutMs = requestOptions?.timeoutMs ?? defaultTimeoutMs;
    if (!(timeoutMs > 0)) {
      return Promise.reject(new ConfigError([{ field: 'timeoutMs', expected: 'a positive number of milliseconds' }], `request ${method}`));
    }
    const id = idPrefix + String(++seq);
    let text: string;
    try {
      text = serializeRequest(id, method, params);
    } catch {
      return Promise.reject(new ConfigError([{ field: 'params', expected: 'a JSON-serializable value' }], `request ${method}`));
    }
    return new Promise<unknown>((resolve, reject) => {
      const pending: Pending = {
        id,
        method,
        text,
        timeoutMs,
        deadlineAt: now() + timeoutMs,
        bytes: -1,
        state: QUEUED,
        attempt: 0,
        deadlineNode: undefined,
        retryTimer: undefined,
        resolve,
        reject,
      };
      deadlines.add(pending);
      if (sink !== null && !fits(pending, sink.maxPayload)) {
        rejectTooLarge(pending, sink.maxPayload);
        return;
      }
      queue.push(pending);
      queuedCount++;
      pump();
    });
  }

  function pump(): void {
    if (pumping || sink === null || refusal !== null || closedWith !== null) return;
    const target = sink;
    pumping = true;
    try {
      while (inFlight.size < maxInFlight && queuedCount > 0 && sink === target) {
        if (target.congested?.() === true) {
          if (!awaitingDrain) {
            awaitingDrain = true;
            target.onDrain?.(onDrained);
          }
          break;
        }
        const pending = queue.shift();
        if (pending === undefined) break;
        queuedCount--;
        if (!fits(pending, target.maxPayload)) {
          rejectTooLarge(pending, target.maxPayload);
          continue;
        }
        pending.state = IN_FLIGHT;
        inFlight.set(pending.id, pending);
        counters.sent++;
        target.send(pending.text);
      }
    } finally {
      pumping = false;
    }
  }

  function handleResponse(frame: ResponseFrame): void {
    const pending = inFlight.get(frame.id);
    if (pending === undefined) {
      counters.unknownResponses++;
      return;
    }
    inFlight.delete(frame.id);
    if (frame.ok) {
      counters.succeeded++;
      finish(pending);
      pending.resolve(frame.payload);
    } else if (!scheduleRetry(pending, frame.error)) {
      fail(pending, new GatewayRequestError(pending.method, frame.error));
    }
    pump();
  }

  /** The gateway's "server is busy" answer: retry inside the request's own deadline, or give up. */
  function scheduleRetry(pending: Pending, error: WireErrorShape): boolean {
    if (error.code !== 'UNAVAILABLE' || error.retryable !== true) return false;
    const delayMs = error.retryAfterMs ?? busyRetryDelayMs(pending.attempt + 1);
    if (now() + delayMs >= pending.deadlineAt) return false;
    pending.attempt++;
    counters.retried++;
    pending.state = WAITING_RETRY;
    waiting.add(pending);
    pending.retryTimer = setTimer(() => onRetryDue(pending), delayMs);
    return true;
  }

  function onRetryDue(pending: Pending): void {
    if (pending.state !== WAITING_RETRY) return;
    waiting.delete(pending);
    pending.retryTimer = undefined;
    pending.state = QUEUED;
    queuedCount++;
    // It waited its turn once already: it goes ahead of requests made after it.
    queue.pushFront(pending);
    pump();
  }

  function onTimeout(pending: Pending): void {
    const state = pending.state;
    if (state === SETTLED) return;
    if (state === IN_FLIGHT) inFlight.delete(pending.id);
    else if (state === QUEUED) queuedCount--;
    else waiting.delete(pending);
    counters.timedOut++;
    fail(
      pending,
      new SupervisorError(ErrorCodes.REQUEST_TIMEOUT, `${pending.method}: no response within ${pending.timeoutMs} ms`, {
        retryable: true,
        details: { method: pending.method, timeoutMs: pending.timeoutMs, attempts: pending.attempt + 1 },
      }),
    );
    if (state === IN_FLIGHT) pump();
  }

  function fits(pending: Pending, maxPayload: number): boolean {
    if (!(maxPayload > 0)) return true;
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes, so short frames skip the byte count.
    if (pending.text.length * 3 <= maxPayload) return true;
    if (pending.bytes < 0) pending.bytes = Buffer.byteLength(pending.text, 'utf8');
    return pending.bytes <= maxPayload;
  }

  function rejectTooLarge(pending: Pending, maxPayload: number): void {
    if (pending.bytes < 0) pending.bytes = Buffer.byteLength(pending.text, 'utf8');
    fail(
      pending,
      new SupervisorError(
        ErrorCodes.PAYLOAD_TOO_LARGE,
        `${pending.method}: request frame is ${pending.bytes} bytes, above the gateway's maxPayload of ${maxPayload}`,
        { details: { method: pending.method, bytes: pending.bytes, maxPayload } },
      ),
    );
  }

  /** Marks settled and drops its deadline and retry timer; the caller resolves or rejects. */
  function finish(pending: Pending): void {
    pending.state = SETTLED;
    deadlines.remove(pending);
    if (pending.retryTimer !== undefined) clearTimer(pending.retryTimer);
    pending.retryTimer = undefined;
  }

  function fail(pending: Pending, error: Error): void {
    counters.failed++;
    finish(pending);
    pending.reject(error);
  }

  function rejectInFlight(error: SupervisorError): void {
    if (inFlight.size === 0) return;
    const settling = [...inFlight.values()];
    inFlight.clear();
    for (const pending of settling) fail(pending, error);
  }

  function rejectWaitingAndQueued(error: () => SupervisorError): void {
    const settling = [...waiting, ...queue.drain()];
    waiting.clear();
    queuedCount = 0;
    for (const pending of settling) fail(pending, error());
  }

  return {
    request,
    handleResponse,
    attach(next) {
      if (closedWith !== null) return;
      awaitingDrain = false;
      if (sink !== null && sink !== next) {
        rejectInFlight(
          new SupervisorError(ErrorCodes.CONNECTION_CLOSED, 'connection replaced while the request was in flight', {
            retryable: true,
          }),
        );
      }
      sink = next;
      pump();
    },
    detach(error, only) {
      if (only !== undefined && sink !== only) return;
      sink = null;
      if (inFlight.size > 0) rejectInFlight(typeof error === 'function' ? error() : error);
      // A link that went down keeps no deadline timer for requests it no longer has.
      deadlines.release();
    },
    refuse(error) {
      if (closedWith !== null) return;
      refusal = error === null ? null : once(error);
      if (refusal === null) pump();
      else rejectWaitingAndQueued(refusal);
      deadlines.release();
    },
    close(error) {
      if (closedWith !== null) return;
      closedWith = once(error);
      sink = null;
      if (inFlight.size > 0) rejectInFlight(closedWith());
      rejectWaitingAndQueued(closedWith);
      deadlines.release();
    },
    stats() {
      return {
        attached: sink !== null,
        refused: refusal !== null,
        closed: closedWith !== null,
        inFlight: inFlight.size,
        queued: queuedCount,
        waitingRetry: waiting.size,
        ...counters,
      };
    },
  };
}
