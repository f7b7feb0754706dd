// One control connection to a gateway: open the socket, wait for `connect.challenge`, wait for
// `hello-ok`, stay ready while the gateway ticks, and on loss decide between pausing, waiting what the
// gateway asked, or backing off. The socket itself is an invoked actor (`gatewaySocket`) provided by the
// runtime; this chart only decides. It owns no timer of its own: every wait is a named delay.
import { not, or, stateIn } from 'xstate';
import { defaults } from '../defaults.js';
import { resolveBackoffPolicy } from '../policy/backoff.js';
import { CloseCodes } from '../policy/close-codes.js';
import {
  connectionSetup,
  CREDENTIALS_CHANGED,
  DEFAULT_CHALLENGE_TIMEOUT_MS,
  HANDSHAKE_TIMEOUT,
  lostNotice,
  pausedNotice,
  PONG_TIMEOUT,
  readyNotice,
  retryingNotice,
  TICK_TIMEOUT,
} from './connection.setup.js';

export { CLOSE_GRACE_MS, DEFAULT_CHALLENGE_TIMEOUT_MS, DEFAULT_TICK_INTERVAL_MS, WATCHDOG_TICKS } from './connection.setup.js';

export const connectionMachine = connectionSetup.createMachine({
  id: 'connection',
  context: ({ input }) => ({
    url: input.url,
    key: input.key ?? defaults.name,
    policy: resolveBackoffPolicy(input.reconnect),
    challengeTimeoutMs: input.challengeTimeoutMs ?? DEFAULT_CHALLENGE_TIMEOUT_MS,
    pingIntervalMs: input.pingIntervalMs ?? defaults.liveness.pingIntervalMs,
    pongTimeoutMs: input.pongTimeoutMs ?? defaults.liveness.pongTimeoutMs,
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
        input: ({ context }) => ({ epoch: context.epoch, key: context.key, url: context.url }),
        onError: [
          {
            // A ready connection that loses its socket this way is still a lost connection.
            guard: stateIn('#connection.session.ready'),
            target: 'deciding',
            actions: [
              { type: 'recordSocketFailure', params: ({ event }) => ({ message: errorMessage(event.error) }) },
              { type: 'notify', params: ({ context }) => lostNotice(context) },
            ],
          },
          {
            target: 'deciding',
            actions: { type: 'recordSocketFailure', params: ({ event }) => ({ message: errorMessage(event.error) }) },
          },
        ],
      },
      initial: 'handshake',
      on: {
        // A new credential: start the session over on a fresh socket (leaving stops the old one).
        'connection.reconnect': { target: 'session', reenter: true, actions: 'resetAttempt' },
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
          after: {
            handshakeTimeout: { target: 'closing', actions: { type: 'requestClose', params: HANDSHAKE_TIMEOUT } },
          },
          states: {
            opening: { on: { 'socket.opened': { guard: 'isCurrentEpoch', target: 'awaitingChallenge' } } },
            awaitingChallenge: { on: { 'socket.challenge': { guard: 'isCurrentEpoch', target: 'connecting' } } },
            connecting: {
              on: {
                'socket.hello': { guard: 'isCurrentEpoch', target: '#connection.session.ready', actions: 'recordHello' },
              },
            },
          },
        },
        ready: {
          tags: ['connected'],
          entry: { type: 'notify', params: ({ context }) => readyNotice(context) },
          // Two watchers side by side: pings notice a stalled link within ping interval + pong deadline
          // (~10 s); the tick watchdog (2 ticks, ~60 s) stays as the second line.
          type: 'parallel',
          states: {
            liveness: {
              initial: 'quiet',
              states: {
                // Every inbound frame restarts the wait: a busy link is never pinged.
                quiet: {
                  on: { 'socket.activity': { guard: 'isCurrentEpoch', target: 'quiet', reenter: true } },
                  after: { pingInterval: { target: 'awaitingPong', actions: 'sendPing' } },
                },
                awaitingPong: {
                  on: {
                    'socket.pong': { guard: 'isCurrentEpoch', target: 'quiet' },
                    'socket.activity': { guard: 'isCurrentEpoch', target: 'quiet' },
                  },
                  after: {
                    pongTimeout: {
                      target: '#connection.session.closing',
                      actions: [
                        { type: 'requestClose', params: PONG_TIMEOUT },
                        { type: 'notify', params: { type: 'connection.lost', ...PONG_TIMEOUT, expected: false } },
                      ],
                    },
                  },
                },
              },
            },
            watchdog: {
              initial: 'watching',
              states: {
                watching: {
                  // Re-entering (only this sub-state, not `ready`) restarts the watchdog on every inbound frame.
                  on: { 'socket.activity': { guard: 'isCurrentEpoch', target: 'watching', reenter: true } },
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
            },
          },
          on: {
            'socket.closed': {
              guard: 'isCurrentEpoch',
              target: '#connection.deciding',
              actions: ['recordClose', { type: 'notify', params: ({ context }) => lostNotice(context) }],
            },
            // Dropped on the host's word, so the loss is expected.
            'connection.reconnect': {
              target: '#connection.session',
              reenter: true,
              actions: ['resetAttempt', { type: 'notify', params: { type: 'connection.lost', ...CREDENTIALS_CHANGED, expected: true } }],
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
          actions: ['scheduleWait', { type: 'notify', params: ({ context }) => retryingNotice(context, false) }],
        },
        {
          target: 'backoff',
          actions: ['scheduleBackoff', { type: 'notify', params: ({ context }) => retryingNotice(context, true) }],
        },
      ],
    },
    backoff: {
      after: { retryDelay: 'session' },
      on: { 'connection.reconnectNow': 'session', 'connection.reconnect': { target: 'session', actions: 'resetAttempt' } },
    },
    paused: {
      entry: { type: 'notify', params: ({ context }) => pausedNotice(context) },
      on: {
        'connection.resume': { target: 'session', actions: 'resetAttempt' },
        'connection.reconnect': { target: 'session', actions: 'resetAttempt' },
        'connection.open': { target: 'session', actions: 'resetAttempt' },
      },
    },
    closed: {
      on: { 'connection.open': { target: 'session', actions: 'resetAttempt' } },
    },
  },
});

export type ConnectionMachine = typeof connectionMachine;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
