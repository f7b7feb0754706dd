// The `gatewaySocket` actor: one WebSocket to one gateway for one connection epoch. It answers the
// challenge, hands the connection to the rpc channel at hello-ok, and reports everything else as the
// SocketSignal contract of src/protocol/signals.ts. The connection machine decides what happens next.
//
// Close codes (see ClientCloseCodes): a frame we cannot trust closes with 4002, our own handshake timeout
// with 4008; `socket.closed` carries our code when we closed first, the gateway's code otherwise, and
// 1006 with the transport error (secrets scrubbed) when no close frame was seen or the socket never opened.
import { Buffer } from 'node:buffer';
import WebSocket from 'ws';
import { fromCallback } from 'xstate';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import type { LoggerLike } from '../../config.js';
import {
  ClientCloseCodes,
  ConnectChallengeSchema,
  MAX_PROTOCOL_VERSION,
  MIN_PROTOCOL_VERSION,
  PRE_AUTH_MAX_PAYLOAD_BYTES,
  ShutdownPayloadSchema,
  describeIssues,
  isSupportedProtocol,
  parseFrame,
  parseHelloOk,
  serializeRequest,
  summarizeHello,
  type ConnectChallenge,
  type ConnectClientInfo,
  type EventFrame,
  type HelloOk,
  type ResponseFrame,
} from '../../protocol/index.js';
import type { SocketActorInput, SocketCommand, SocketSignal } from '../../contracts/index.js';
import {
  buildConnectFrame,
  forgetRejectedDeviceToken,
  storeIssuedDeviceToken,
  toWireError,
  type ConnectFrameParts,
  type SocketCredentials,
} from './connect-frame.js';
import { createSocketCloser, describeError, type SocketCloser } from './socket-close.js';
import { challengeOf, okResponseOf } from './fast-frames.js';
import { rawToString, receiverCloseCode } from './ws-data.js';
import type { RpcChannel, RpcSink } from './rpc-channel.js';

export type { SocketCredentials } from './connect-frame.js';

export interface GatewaySocketDeps {
  url: string;
  /** Read at each challenge, so a rotated token or a newly stored device token is used on reconnect. */
  credentials: () => SocketCredentials;
  client: ConnectClientInfo;
  scopes?: readonly string[];
  caps?: readonly string[];
  rpc: RpcChannel;
  /** Every event except `connect.challenge` and `shutdown`, which become signals. */
  onEvent: (event: string, payload: unknown, seq: number | undefined) => void;
  /** The full hello-ok, before `socket.hello` is signalled. */
  onHello?: (hello: HelloOk) => void;
  logger?: Pick<LoggerLike, 'debug' | 'warn'>;
  /** `socket.activity` is signalled at most once per this many ms. */
  activityThrottleMs?: number;
  /** Close with 4008 when hello-ok has not arrived this long after the socket was created. Unset: the
   * connection machine owns the handshake deadline. */
  connectTimeoutMs?: number;
  /** After we send a close frame, terminate when the gateway has not closed within this. */
  closeGraceMs?: number;
  /**
   * Told of a socket its owner let go of while it was still open: the promise settles once it has closed
   * (within `closeGraceMs`). A supervisor's stop() waits for these, so a stopped one holds no socket.
   */
  onEnding?: (ended: Promise<void>) => void;
  /** After a refused connect the gateway closes by itself; close ourselves if it has not within this. */
  refusedCloseGraceMs?: number;
  /** A cap on unsent bytes below the gateway's own `policy.maxBufferedBytes` (the lower one is enforced). */
  maxBufferedBytes?: number;
  /** Largest inbound frame; above it ws closes 1009. Default 64 MiB (gateway frames stay below 25 MiB). */
  maxInboundFrameBytes?: number;
  WebSocketImpl?: typeof WebSocket;
  now?: () => number;
}

/** A running socket, for callers that drive it without an actor (the logic below wraps exactly this). */
export interface GatewaySocketHandle {
  command(command: SocketCommand): void;
  /** Closes or terminates the socket, removes every listener and timer; no signal follows. */
  dispose(): void;
}

/**
 * The actor logic the runtime provides as `gatewaySocket`. Built once: `depsFor` turns each socket's input
 * (its url, instance key and epoch) into that connection's deps, so one logic serves many connections.
 */
export function createGatewaySocketLogic(
  depsFor: (input: SocketActorInput, system: object) => GatewaySocketDeps,
  /** A socket the runtime opened ahead of this actor for the same URL (see `preopenGatewaySocket`), if any. */
  preopenedFor?: (input: SocketActorInput, system: object) => PreopenedGatewaySocket | undefined,
) {
  return fromCallback<SocketCommand, SocketActorInput>(({ input, system, sendBack, receive }) => {
    const emit = (signal: SocketSignal) => sendBack(signal);
    const handle = preopenedFor?.(input, system)?.adopt(input.epoch, emit) ?? openGatewaySocket(depsFor(input, system), input.epoch, emit);
    receive((command) => handle.command(command));
    return () => handle.dispose();
  });
}

/**
 * A socket opened before the actor that will own it: its TCP connect and upgrade request go out while the
 * charts that decide to open it are still starting. Its signals wait until an actor adopts it.
 */
export interface PreopenedGatewaySocket {
  readonly url: string;
  /**
   * Hands the socket to the actor started under `epoch`: what it reported so far (a refused TCP connect)
   * follows, stamped with that epoch, once the actor has finished starting.
   */
  adopt(epoch: number, emit: (signal: SocketSignal) => void): GatewaySocketHandle;
  /** No actor took it: closed like any socket let go of (its end goes to `onEnding`). */
  dispose(): void;
}

export function preopenGatewaySocket(deps: GatewaySocketDeps): PreopenedGatewaySocket {
  const held: SocketSignal[] = [];
  const socket = startGatewaySocket(deps, 0, (signal) => void held.push(signal));
  return {
    url: deps.url,
    adopt(epoch, emit) {
      socket.retarget(epoch, (signal) => void held.push(signal));
      // Like every signal of a starting actor, these arrive once its parent has finished starting it.
      queueMicrotask(() => {
        for (const signal of held.splice(0)) emit({ ...signal, epoch });
        socket.retarget(epoch, emit);
      });
      return socket;
    },
    dispose: () => socket.dispose(),
  };
}

type Phase = 'connecting' | 'awaiting-challenge' | 'handshaking' | 'ready' | 'refused' | 'closing' | 'closed';

const noop = (): void => {};
/** How often a congested socket's buffer is looked at again; a 50 MiB buffer drains over many of these. */
const DRAIN_POLL_MS = 5;

export function openGatewaySocket(deps: GatewaySocketDeps, epoch: number, emit: (signal: SocketSignal) => void): GatewaySocketHandle {
  return startGatewaySocket(deps, epoch, emit);
}

/** The socket itself; `retarget` is for `preopenGatewaySocket`, which learns its epoch and receiver late. */
function startGatewaySocket(
  deps: GatewaySocketDeps,
  epoch: number,
  emit: (signal: SocketSignal) => void,
): GatewaySocketHandle & { retarget(epoch: number, emit: (signal: SocketSignal) => void): void } {
  const now = deps.now ?? Date.now;
  const activityThrottleMs = deps.activityThrottleMs ?? 1_000;
  const log = deps.logger;
  // Named when `connect` is sent, under the epoch of that moment.
  let connectId: string | undefined;
  let phase: Phase = 'connecting';
  let disposed = false;
  let sink: RpcSink | null = null;
  let lastActivityAt = Number.NEGATIVE_INFINITY;
  let lastError: string | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  let refusedTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let used: ConnectFrameParts | undefined;

  // `socket.opened` waits for the next turn, or for the signal after it: the challenge usually arrives with
  // the upgrade, and is answered first, so what the chart does on open overlaps the gateway's work.
  let openedPending = false;
  let openedTimer: NodeJS.Immediate | undefined;
  const flushOpened = (): void => {
    if (!openedPending) return;
    openedPending = false;
    if (openedTimer !== undefined) clearImmediate(openedTimer);
    openedTimer = undefined;
    emit({ type: 'socket.opened', epoch });
  };
  const signal = (s: SocketSignal): void => {
    if (disposed) return;
    flushOpened();
    emit(s);
  };

  let ws: WebSocket;
  try {
    const Impl = deps.WebSocketImpl ?? WebSocket;
    ws = new Impl(deps.url, { perMessageDeflate: false, maxPayload: deps.maxInboundFrameBytes ?? 64 * 1024 * 1024 });
  } catch (error) {
    // A malformed URL never makes a socket; report it like a socket that never opened, asynchronously so
    // the signal does not arrive while the parent is still starting this actor.
    phase = 'closed';
    const reason = describeError(error, knownSecrets());
    queueMicrotask(() => signal({ type: 'socket.closed', epoch, code: ClientCloseCodes.ABNORMAL, reason }));
    return {
      command: noop,
      dispose: () => void (disposed = true),
      retarget: (nextEpoch, nextEmit) => void ((epoch = nextEpoch), (emit = nextEmit)),
    };
  }
  const closer: SocketCloser = createSocketCloser(ws, deps.closeGraceMs ?? 2_000);

  ws.on('open', onOpen);
  ws.on('message', onMessage);
  ws.on('error', onError);
  ws.on('close', onClose);
  ws.on('pong', onPong);
  if (deps.connectTimeoutMs !== undefined) {
    connectTimer = setTimeout(() => closeSocket(ClientCloseCodes.HANDSHAKE_TIMEOUT, 'handshake timeout'), deps.connectTimeoutMs);
  }

  function onPong(): void {
    if (phase === 'ready') signal({ type: 'socket.pong', epoch });
  }

  function sendPing(): void {
    if (phase !== 'ready' || ws.readyState !== WebSocket.OPEN) return;
    try {
      ws.ping();
    } catch (error) {
      log?.debug({ epoch, err: describeError(error, knownSecrets()) }, 'ping not sent');
    }
  }

  function onOpen(): void {
    if (phase !== 'connecting') return;
    phase = 'awaiting-challenge';
    openedPending = true;
    openedTimer = setImmediate(() => {
      openedTimer = undefined;
      if (!disposed) flushOpened();
    });
  }

  function onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (phase === 'closing' || phase === 'closed') return;
    if (isBinary) return protocolError('binary frame, expected JSON text');
    const text = rawToString(data);
    // The handshake's first frame, checked by hand like a successful response below.
    if (phase === 'awaiting-challenge') {
      const challenge = challengeOf(text);
      if (challenge !== undefined) return answerChallenge(challenge);
    }
    // The hot path: a successful response to one of our requests (or hello-ok to our connect). Its shape is
    // checked by hand (exactly what the schema checks for `ok: true`; the payload is the caller's, or
    // parseHelloOk's) and the frame schema's parse is skipped.
    if (phase === 'ready' || phase === 'handshaking') {
      const fast = okResponseOf(text);
      if (fast !== undefined) {
        // hello-ok is not activity: the connection arms its liveness timers as it becomes ready.
        if (fast.id === connectId) return handleConnectResponse(fast);
        deps.rpc.handleResponse(fast);
        return noteActivity();
      }
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) return protocolError(parsed.message);
    const frame = parsed.frame;
    if (frame.type === 'event') handleEvent(frame);
    else if (frame.type === 'res') {
      if (frame.id === connectId) return handleConnectResponse(frame);
      deps.rpc.handleResponse(frame);
    } else log?.debug({ epoch, method: frame.method }, 'ignoring a request frame from the gateway');
    noteActivity();
  }

  function handleEvent(frame: EventFrame): void {
    if (frame.event === 'connect.challenge') return sendConnect(frame.payload);
    if (frame.event === 'shutdown') {
      const shutdown = ShutdownPayloadSchema.safeParse(frame.payload);
      if (!shutdown.success) return protocolError(`shutdown payload invalid: ${describeIssues(shutdown.error)}`);
      const { reason, restartExpectedMs } = shutdown.data;
      return signal({ type: 'socket.shutdown', epoch, reason, ...(restartExpectedMs === undefined ? {} : { restartExpectedMs }) });
    }
    guard('onEvent handler threw', () => deps.onEvent(frame.event, frame.payload, frame.seq));
  }

  function sendConnect(payload: unknown): void {
    if (phase !== 'awaiting-challenge') {
      log?.debug({ epoch, phase }, 'ignoring a repeated connect.challenge');
      return;
    }
    const challenge = ConnectChallengeSchema.safeParse(payload);
    if (!challenge.success) return protocolError(`connect.challenge payload invalid: ${describeIssues(challenge.error)}`);
    answerChallenge(challenge.data);
  }

  function answerChallenge(challenge: ConnectChallenge): void {
    try {
      used = buildConnectFrame(deps, challenge);
    } catch (error) {
      return protocolError(`could not build connect: ${describeError(error, knownSecrets())}`);
    }
    connectId = `connect-${epoch}`;
    const text = serializeRequest(connectId, 'connect', used.params);
    if (Buffer.byteLength(text, 'utf8') > PRE_AUTH_MAX_PAYLOAD_BYTES) {
      return protocolError(`connect frame exceeds the pre-auth limit of ${PRE_AUTH_MAX_PAYLOAD_BYTES} bytes`);
    }
    ws.send(text);
    phase = 'handshaking';
    signal({ type: 'socket.challenge', epoch });
  }

  function handleConnectResponse(frame: ResponseFrame): void {
    if (phase !== 'handshaking') return;
    if (!frame.ok) {
      phase = 'refused';
      clearTimers();
      guard('could not forget the rejected device token', () => used && forgetRejectedDeviceToken(used, frame.error));
      refusedTimer = setTimeout(() => closeSocket(ClientCloseCodes.NORMAL, 'connect refused'), deps.refusedCloseGraceMs ?? 1_000);
      return signal({ type: 'socket.refused', epoch, error: toWireError(frame.error) });
    }
    const parsed = parseHelloOk(frame.payload);
    if (!parsed.ok) return protocolError(parsed.message);
    const hello = parsed.hello;
    if (!isSupportedProtocol(hello.protocol)) {
      return protocolError(`hello-ok protocol ${hello.protocol} is outside ${MIN_PROTOCOL_VERSION}-${MAX_PROTOCOL_VERSION}`);
    }
    phase = 'ready';
    clearTimers();
    guard('could not store the issued device token', () => used && storeIssuedDeviceToken(used, hello));
    const maxBuffered = Math.min(hello.policy.maxBufferedBytes, deps.maxBufferedBytes ?? Number.POSITIVE_INFINITY);
    sink = {
      send: sendIfOpen,
      maxPayload: hello.policy.maxPayload,
      congested: () => ws.bufferedAmount > maxBuffered,
      onDrain: (fn) => waitForDrain(maxBuffered, fn),
    };
    deps.rpc.attach(sink);
    guard('onHello handler threw', () => deps.onHello?.(hello));
    signal({ type: 'socket.hello', epoch, hello: summarizeHello(hello) });
  }

  /** ws has no drain event of its own: look again every few ms while congested (only then). */
  function waitForDrain(maxBuffered: number, fn: () => void): void {
    if (drainTimer !== undefined) return;
    const check = (): void => {
      drainTimer = undefined;
      if (phase !== 'ready' || disposed) return;
      if (ws.bufferedAmount > maxBuffered) drainTimer = setTimeout(check, DRAIN_POLL_MS);
      else fn();
    };
    drainTimer = setTimeout(check, DRAIN_POLL_MS);
  }

  function sendIfOpen(text: string): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  function noteActivity(): void {
    // Only a live connection feeds the liveness watchers: the handshake has its own deadline (and its
    // frames their own signals), and frames around a refusal or close say nothing about liveness.
    if (phase !== 'ready' || disposed) return;
    const at = now();
    if (at - lastActivityAt < activityThrottleMs) return;
    lastActivityAt = at;
    signal({ type: 'socket.activity', epoch });
  }

  function protocolError(message: string): void {
    if (phase === 'closing' || phase === 'closed') return;
    log?.warn({ epoch, phase, problem: message }, 'gateway protocol error');
    closeSocket(ClientCloseCodes.PROTOCOL_ERROR, 'protocol error');
    signal({ type: 'socket.protocolError', epoch, message });
  }

  function closeSocket(code: number, reason: string): void {
    if (phase === 'closing' || phase === 'closed') return;
    phase = 'closing';
    clearTimers();
    detachRpc(code, reason);
    closer.close(code, reason);
  }

  function onError(error: Error): void {
    lastError = describeError(error, knownSecrets());
    log?.debug({ epoch, err: lastError }, 'gateway socket error');
    // ws has already sent a close frame for a frame it could not read, but stops reading, so the peer's
    // echo never arrives and the close would surface as 1006. Report the code ws sent instead.
    const wsCode = (error as { code?: unknown }).code;
    if (typeof wsCode === 'string' && wsCode.startsWith('WS_ERR_')) closeSocket(receiverCloseCode(wsCode), lastError);
  }

  function onClose(code: number, reasonBuffer: Buffer): void {
    if (phase === 'closed') return;
    phase = 'closed';
    clearTimers();
    closer.settled();
    detachListeners();
    const received = reasonBuffer.toString('utf8');
    detachRpc(code, received);
    const local = closer.local();
    const report = local ?? { code, reason: received || lastError || '' };
    signal({ type: 'socket.closed', epoch, code: report.code, reason: report.reason });
  }

  function detachRpc(code: number, reason: string): void {
    if (sink === null) return;
    const attached = sink;
    sink = null;
    deps.rpc.detach(
      () =>
        new SupervisorError(ErrorCodes.CONNECTION_CLOSED, 'connection closed while the request was in flight', {
          retryable: true,
          details: { closeCode: code, closeReason: reason },
        }),
      attached,
    );
  }

  function clearTimers(): void {
    if (openedTimer !== undefined) clearImmediate(openedTimer);
    openedTimer = undefined;
    if (connectTimer !== undefined) clearTimeout(connectTimer);
    if (refusedTimer !== undefined) clearTimeout(refusedTimer);
    if (drainTimer !== undefined) clearTimeout(drainTimer);
    connectTimer = undefined;
    refusedTimer = undefined;
    drainTimer = undefined;
  }

  function detachListeners(): void {
    ws.off('open', onOpen);
    ws.off('message', onMessage);
    ws.off('error', onError);
    ws.off('close', onClose);
    ws.off('pong', onPong);
    // ws may still emit 'error' while it aborts; an EventEmitter without an error listener would throw.
    if (ws.listenerCount('error') === 0) ws.on('error', noop);
  }

  /** Runs host code or file I/O that must not break the socket; failures are logged without secrets. */
  function guard(problem: string, run: () => unknown): void {
    try {
      run();
    } catch (error) {
      log?.warn({ epoch, err: describeError(error, knownSecrets()) }, problem);
    }
  }

  function knownSecrets(): string[] {
    try {
      const creds = used?.credentials ?? deps.credentials();
      const sent = used?.params.auth;
      return [creds.token, creds.deviceToken, creds.deviceIdentity?.deviceToken, sent?.token, sent?.deviceToken].filter(
        (s): s is string => typeof s === 'string',
      );
    } catch {
      return [];
    }
  }

  return {
    retarget(nextEpoch, nextEmit) {
      epoch = nextEpoch;
      emit = nextEmit;
    },
    command(command) {
      if (command.type === 'socket.close') closeSocket(command.code, command.reason);
      else if (command.type === 'socket.ping') sendPing();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimers();
      const wasOpen = phase !== 'closed';
      phase = 'closed';
      detachRpc(ClientCloseCodes.NORMAL, 'client stopped');
      detachListeners();
      if (!wasOpen) return closer.settled();
      const ended = closer.abandon();
      if (ended !== undefined) deps.onEnding?.(ended);
    },
  };
}
