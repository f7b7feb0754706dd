// The implementations behind the connection chart: the placeholder socket actor (the runtime provides the
// real one with machine.provide()), actions, guards and named delays. The chart is in connection.machine.ts.
import { assertEvent, assign, enqueueActions, fromCallback, sendTo, setup } from 'xstate';
import type { SocketActorInput, SocketCommand } from '../../contracts/index.js';
import type { HelloSummary } from '../../protocol/index.js';
import { defaults } from '../defaults.js';
import { backoffDelayMs } from '../policy/backoff.js';
import { CloseCodes, classifyCloseCode, decideReconnect, type ReconnectDecision } from '../policy/close-codes.js';
import type { ConnectionContext, ConnectionEvent, ConnectionInput, ConnectionNotice, LastClose } from './types.js';

/** The whole pre-hello phase's deadline (src/machines/defaults.ts). */
export const DEFAULT_CHALLENGE_TIMEOUT_MS = defaults.challengeTimeoutMs;
/** The gateway's advertised tick before `hello-ok` says otherwise (docs/gateway/protocol/versioning.md). */
export const DEFAULT_TICK_INTERVAL_MS = 30_000;
/** Silence of two ticks means the gateway (or the path to it) is gone, as in the reference client. */
export const WATCHDOG_TICKS = 2;
/**
 * After we ask the socket to close, how long its close handshake may take. On loopback it takes
 * milliseconds; a peer that went silent never answers, and leaving the session stops the actor anyway.
 */
export const CLOSE_GRACE_MS = 1_000;

export const TICK_TIMEOUT = { code: CloseCodes.CLIENT_TIMEOUT, reason: 'tick timeout' } as const;
/** A ping went unanswered: the link is stalled (TCP open, no bytes), the same verdict as a missed tick. */
export const PONG_TIMEOUT = { code: CloseCodes.CLIENT_TIMEOUT, reason: 'pong timeout' } as const;
/** The host changed the credential: the link is dropped on purpose and redialled with the new one. */
export const CREDENTIALS_CHANGED = { code: CloseCodes.NORMAL, reason: 'credentials changed' } as const;
export const HANDSHAKE_TIMEOUT = { code: CloseCodes.CLIENT_TIMEOUT, reason: 'handshake timeout' } as const;

/** Stands in until the runtime provides the real socket; failing loudly beats a silent hang. */
const missingGatewaySocket = fromCallback<SocketCommand, SocketActorInput>(() => {
  throw new Error('gatewaySocket actor not provided: use connectionMachine.provide({ actors: { gatewaySocket } })');
});

export const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionNotice,
  },
  actors: { gatewaySocket: missingGatewaySocket },
  actions: {
    beginSession: assign(({ context }) => ({
      epoch: context.epoch + 1,
      lastRefusal: undefined,
      lastProtocolError: undefined,
      expectedRestartMs: undefined,
      closeExpected: false,
      closeRequest: undefined,
      retryDelayMs: undefined,
    })),
    resetAttempt: assign({ attempt: 0, pauseReason: undefined }),
    recordHello: assign(({ event }) => {
      assertEvent(event, 'socket.hello');
      return { hello: event.hello, attempt: 0 };
    }),
    recordRefusal: assign(({ event }) => {
      assertEvent(event, 'socket.refused');
      return { lastRefusal: event.error };
    }),
    recordShutdown: assign(({ event }) => {
      assertEvent(event, 'socket.shutdown');
      return { expectedRestartMs: event.restartExpectedMs, closeExpected: event.restartExpectedMs !== undefined };
    }),
    recordProtocolError: assign(({ event }) => {
      assertEvent(event, 'socket.protocolError');
      return { lastProtocolError: event.message };
    }),
    recordClose: assign(({ context, event }) => {
      assertEvent(event, 'socket.closed');
      return { lastClose: closeOf(event.code, event.reason, context.closeExpected) };
    }),
    /** A socket actor that throws is treated like a socket that never opened (1006). */
    recordSocketFailure: assign(({ context }, params: { message: string }) => ({
      lastClose: closeOf(CloseCodes.ABNORMAL, `socket actor failed: ${params.message}`, context.closeExpected),
    })),
    requestClose: assign((_, params: { code: number; reason: string }) => ({ closeRequest: { ...params } })),
    sendCloseRequest: sendTo('socket', ({ context }): SocketCommand => ({
      type: 'socket.close',
      code: context.closeRequest?.code ?? CloseCodes.NORMAL,
      reason: context.closeRequest?.reason ?? '',
    })),
    sendPing: sendTo('socket', { type: 'socket.ping' } satisfies SocketCommand),
    /** The socket did not confirm our close within the grace: record the close we asked for. */
    recordUnansweredClose: assign(({ context }) => ({
      lastClose: closeOf(context.closeRequest?.code ?? CloseCodes.ABNORMAL, context.closeRequest?.reason ?? '', context.closeExpected),
    })),
    scheduleBackoff: assign(({ context }) => {
      const attempt = context.attempt + 1;
      return { attempt, retryDelayMs: backoffDelayMs(attempt, context.policy, context.random) };
    }),
    /** A wait the gateway asked for: the backoff does not grow. */
    scheduleWait: assign(({ context }) => {
      const decision = decisionOf(context);
      return { retryDelayMs: decision.action === 'wait' ? decision.delayMs : 0 };
    }),
    enterPause: assign(({ context }) => {
      const decision = decisionOf(context);
      return { pauseReason: decision.action === 'pause' ? decision.reason : 'unknown' };
    }),
    /** Tells the supervisor (when given) and every `actor.on()` listener. */
    notify: enqueueActions<
      ConnectionContext,
      ConnectionEvent,
      ConnectionNotice,
      ConnectionEvent,
      // No actors, actions, guards or delays of ours are enqueued; left to inference, these pull in the
      // other actions' params and the setup stops typechecking.
      never,
      never,
      never,
      never,
      ConnectionNotice
    >(({ context, enqueue }, notice) => {
      if (context.supervisor) enqueue.sendTo(context.supervisor, notice);
      enqueue.emit(notice);
    }),
    /** Does nothing on purpose: the dropped signal shows up, named, in the inspection stream. */
    dropStaleSignal: () => {},
  },
  guards: {
    isCurrentEpoch: ({ context, event }) => 'epoch' in event && event.epoch === context.epoch,
    shouldAutoOpen: ({ context }) => context.autoOpen,
    closeCallsForPause: ({ context }) => decisionOf(context).action === 'pause',
    closeCallsForWait: ({ context }) => decisionOf(context).action === 'wait',
  },
  delays: {
    handshakeTimeout: ({ context }) => context.challengeTimeoutMs,
    tickWatchdog: ({ context }) => WATCHDOG_TICKS * tickIntervalOf(context.hello),
    closeGrace: CLOSE_GRACE_MS,
    pingInterval: ({ context }) => context.pingIntervalMs,
    pongTimeout: ({ context }) => context.pongTimeoutMs,
    retryDelay: ({ context }) => context.retryDelayMs ?? 0,
  },
});

function decisionOf(context: ConnectionContext): ReconnectDecision {
  return decideReconnect({
    code: context.lastClose?.code ?? CloseCodes.ABNORMAL,
    refusal: context.lastRefusal,
    restartExpectedMs: context.expectedRestartMs,
  });
}

function closeOf(code: number, reason: string, expected: boolean): LastClose {
  return { code, reason, kind: classifyCloseCode(code), expected };
}

function tickIntervalOf(hello: HelloSummary | undefined): number {
  const tickMs = hello?.tickIntervalMs;
  return typeof tickMs === 'number' && Number.isFinite(tickMs) && tickMs > 0 ? tickMs : DEFAULT_TICK_INTERVAL_MS;
}

/** `connection.ready`; `ready` is only entered through `recordHello`, so the hello is there. */
export function readyNotice(context: ConnectionContext): ConnectionNotice {
  if (context.hello === undefined) throw new Error('connection machine: ready without hello-ok');
  return { type: 'connection.ready', hello: context.hello };
}

/** `connection.lost` for the close the socket just reported. */
export function lostNotice(context: ConnectionContext): ConnectionNotice {
  return {
    type: 'connection.lost',
    code: context.lastClose?.code ?? CloseCodes.ABNORMAL,
    reason: context.lastClose?.reason ?? '',
    expected: context.closeExpected,
  };
}

/**
 * `connection.retrying`. `attempt` is the 1-based number of the attempt the wait leads to, counted like
 * the backoff: a wait that grows the backoff has already advanced `context.attempt`, a wait the gateway
 * asked for has not.
 */
export function retryingNotice(context: ConnectionContext, grewBackoff: boolean): ConnectionNotice {
  const attempt = grewBackoff ? context.attempt : context.attempt + 1;
  return { type: 'connection.retrying', attempt, delayMs: context.retryDelayMs ?? 0 };
}

/** `connection.paused`, with the refusal that caused it when there was one. */
export function pausedNotice(context: ConnectionContext): ConnectionNotice {
  return {
    type: 'connection.paused',
    reason: context.pauseReason ?? 'unknown',
    ...(context.lastRefusal === undefined ? {} : { error: context.lastRefusal }),
  };
}
