// One control connection to a gateway: open the socket, wait for `connect.challenge`, wait for
// `hello-ok`, stay ready while the gateway ticks, and on loss decide between pausing, waiting what the
// gateway asked, or backing off. The socket itself is an invoked actor (`gatewaySocket`) provided by the
// runtime; this chart only decides. It owns no timer of its own: every wait is a named delay.
import { assertEvent, assign, enqueueActions, fromCallback, not, or, sendTo, setup, stateIn } from 'xstate';
import type { ConnectionNotice, HelloSummary, SocketActorInput, SocketCommand } from '../../protocol/signals.js';
import { backoffDelayMs, resolveBackoffPolicy } from '../policy/backoff.js';
import { CloseCodes, classifyCloseCode, decideReconnect, type ReconnectDecision } from '../policy/close-codes.js';
import type { ConnectionContext, ConnectionEvent, ConnectionInput } from './types.js';

/** The gateway's own pre-auth deadline and the reference client's connect-challenge timeout. */
export const DEFAULT_CHALLENGE_TIMEOUT_MS = 15_000;
/** The gateway's advertised tick before `hello-ok` says otherwise (docs/gateway/protocol/versioning.md). */
export const DEFAULT_TICK_INTERVAL_MS = 30_000;
/** Silence of two ticks means the gateway (or the path to it) is gone, as in the reference client. */
export const WATCHDOG_TICKS = 2;
/**
 * After we ask the socket to close, how long its close handshake may take. On loopback it takes
 * milliseconds; a peer that went silent never answers, and leaving the session stops the actor anyway.
 */
export const CLOSE_GRACE_MS = 1_000;

const TICK_TIMEOUT = { code: CloseCodes.CLIENT_TIMEOUT, reason: 'tick timeout' } as const;
const HANDSHAKE_TIMEOUT = { code: CloseCodes.CLIENT_TIMEOUT, reason: 'handshake timeout' } as const;

/** Stands in until the runtime provides the real socket; failing loudly beats a silent hang. */
const missingGatewaySocket = fromCallback<SocketCommand, SocketActorInput>(() => {
  throw new Error('gatewaySocket actor not provided: use connectionMachine.provide({ actors: { gatewaySocket } })');
});

export const connectionMachine = setup({
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
    /** The socket did not confirm our close within the grace: record the close we asked for. */
    recordUnansweredClose: assign(({ context }) => ({
      lastClose: closeOf(
        context.closeRequest?.code ?? CloseCodes.ABNORMAL,
        context.closeRequest?.reason ?? '',
        context.closeExpected,
      ),
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
    // Explicit type arguments: inferred ones pull in the other actions' params and stop typechecking.
    notify: enqueueActions<ConnectionContext, ConnectionEvent, ConnectionNotice, ConnectionEvent, never, never, never, never, ConnectionNotice>(({ context, enqueue }, notice) => {
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
    retryDelay: ({ context }) => context.retryDelayMs ?? 0,
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    policy: resolveBackoffPolicy(input.reconnect),
    challengeTimeoutMs: input.challengeTimeoutMs ?? DEFAULT_CHALLENGE_TIMEOUT_MS,
    random: input.random ?? Math.random,
    supervisor: input.supervisor,
    autoOpen: input.autoOpen ?? false,
    epoch: 0,
    attempt: 0,
    hello: undefined,
    lastClose: undefined,
    lastRefusal: undefined,
    lastProtocolError: undefined,
    pauseReason: undefined,
    retryDelayMs: undefined,
    expectedRestartMs: undefined,
    closeExpected: false,
    closeRequest: undefined,
  }),
  initial: 'idle',
  on: {
    'connection.close': { target: '.closed' },
    // Signals of a replaced socket, or of one whose session already ended: drop them, visibly.
    'socket.*': {
      guard: or([not('isCurrentEpoch'), not(stateIn('#connection.session'))]),
      actions: 'dropStaleSignal',
    },
  },
  states: {
    idle: {
      always: { guard: 'shouldAutoOpen', target: 'session' },
      on: { 'connection.open': { target: 'session' } },
    },
    // One socket per visit: entering bumps the epoch and starts the socket, leaving stops it.
    session: {
      entry: 'beginSession',
      invoke: {
        id: 'socket',
        src: 'gatewaySocket',
        input: ({ context }) => ({ epoch: context.epoch }),
        onError: {
          target: 'deciding',
          actions: {
            type: 'recordSocketFailure',
            params: ({ event }) => ({ message: event.error instanceof Error ? event.error.message : String(event.error) }),
          },
        },
      },
      initial: 'handshake',
      on: {
        'socket.refused': { guard: 'isCurrentEpoch', actions: 'recordRefusal' },
        'socket.shutdown': { guard: 'isCurrentEpoch', actions: 'recordShutdown' },
        'socket.protocolError': { guard: 'isCurrentEpoch', actions: 'recordProtocolError' },
        'socket.closed': { guard: 'isCurrentEpoch', target: 'deciding', actions: 'recordClose' },
      },
      states: {
        // One deadline over open + challenge + hello, like the gateway's own pre-auth timer.
        handshake: {
          tags: ['busy'],
          initial: 'opening',
          after: { handshakeTimeout: { target: 'closing', actions: { type: 'requestClose', params: HANDSHAKE_TIMEOUT } } },
          states: {
            opening: { on: { 'socket.opened': { guard: 'isCurrentEpoch', target: 'awaitingChallenge' } } },
            awaitingChallenge: { on: { 'socket.challenge': { guard: 'isCurrentEpoch', target: 'connecting' } } },
            connecting: {
              on: { 'socket.hello': { guard: 'isCurrentEpoch', target: '#connection.session.ready', actions: 'recordHello' } },
            },
          },
        },
        ready: {
          tags: ['connected'],
          entry: { type: 'notify', params: ({ context }) => ({ type: 'connection.ready', hello: helloOf(context) }) },
          initial: 'watching',
          states: {
            // Re-entered on every inbound frame, which restarts the watchdog.
            watching: {
              after: {
                tickWatchdog: {
                  target: '#connection.session.closing',
                  actions: [
                    { type: 'requestClose', params: TICK_TIMEOUT },
                    { type: 'notify', params: { type: 'connection.lost', ...TICK_TIMEOUT, expected: false } },
                  ],
                },
              },
            },
          },
          on: {
            'socket.activity': { guard: 'isCurrentEpoch', target: '.watching', reenter: true },
            'socket.closed': {
              guard: 'isCurrentEpoch',
              target: '#connection.deciding',
              actions: [
                'recordClose',
                {
                  type: 'notify',
                  params: ({ context }) => ({
                    type: 'connection.lost',
                    code: context.lastClose?.code ?? CloseCodes.ABNORMAL,
                    reason: context.lastClose?.reason ?? '',
                    expected: context.closeExpected,
                  }),
                },
              ],
            },
            // The host's own stop is never a surprise to it.
            'connection.close': {
              target: '#connection.closed',
              actions: {
                type: 'notify',
                params: { type: 'connection.lost', code: CloseCodes.NORMAL, reason: 'closed by host', expected: true },
              },
            },
          },
        },
        // We gave up on the socket: ask it to close from inside the session (the socket must still be
        // there to hear it), then wait briefly for its `socket.closed`.
        closing: {
          entry: 'sendCloseRequest',
          after: { closeGrace: { target: '#connection.deciding', actions: 'recordUnansweredClose' } },
        },
      },
    },
    // Transient: the socket is gone and its close recorded; choose what comes next.
    deciding: {
      always: [
        { guard: 'closeCallsForPause', target: 'paused', actions: 'enterPause' },
        {
          guard: 'closeCallsForWait',
          target: 'backoff',
          actions: [
            'scheduleWait',
            {
              type: 'notify',
              params: ({ context }) => ({ type: 'connection.retrying', attempt: context.attempt + 1, delayMs: context.retryDelayMs ?? 0 }),
            },
          ],
        },
        {
          target: 'backoff',
          actions: [
            'scheduleBackoff',
            {
              type: 'notify',
              params: ({ context }) => ({ type: 'connection.retrying', attempt: context.attempt, delayMs: context.retryDelayMs ?? 0 }),
            },
          ],
        },
      ],
    },
    backoff: {
      after: { retryDelay: 'session' },
      on: { 'connection.reconnectNow': 'session' },
    },
    paused: {
      entry: {
        type: 'notify',
        params: ({ context }) => ({
          type: 'connection.paused',
          reason: context.pauseReason ?? 'unknown',
          ...(context.lastRefusal === undefined ? {} : { error: context.lastRefusal }),
        }),
      },
      on: {
        'connection.resume': { target: 'session', actions: 'resetAttempt' },
        'connection.open': { target: 'session', actions: 'resetAttempt' },
      },
    },
    closed: {
      on: { 'connection.open': { target: 'session', actions: 'resetAttempt' } },
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;

function decisionOf(context: ConnectionContext): ReconnectDecision {
  return decideReconnect({
    code: context.lastClose?.code ?? CloseCodes.ABNORMAL,
    refusal: context.lastRefusal,
    restartExpectedMs: context.expectedRestartMs,
  });
}

function closeOf(code: number, reason: string, expected: boolean) {
  return { code, reason, kind: classifyCloseCode(code), expected };
}

function tickIntervalOf(hello: HelloSummary | undefined): number {
  const tickMs = hello?.tickIntervalMs;
  return typeof tickMs === 'number' && Number.isFinite(tickMs) && tickMs > 0 ? tickMs : DEFAULT_TICK_INTERVAL_MS;
}

function helloOf(context: ConnectionContext): HelloSummary {
  // `ready` is only entered through `recordHello`; the guard keeps the notice type honest.
  if (context.hello === undefined) throw new Error('connection machine: ready without hello-ok');
  return context.hello;
}
