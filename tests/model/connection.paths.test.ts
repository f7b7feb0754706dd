// Named paths through the connection machine, each the story of one gateway behaviour (openclaw-facts),
// told with a fake socket and a simulated clock.
import { describe, expect, it } from 'vitest';
import type { WireError } from '../../src/protocol/index.js';
import { CLOSE_GRACE_MS } from '../../src/machines/connection/index.js';
import { startConnection, TEST_HELLO } from './support/connection-harness.js';

const STARTUP_SIDECARS: WireError = {
  code: 'UNAVAILABLE',
  message: 'gateway starting; retry shortly',
  retryable: true,
  retryAfterMs: 500,
  details: { reason: 'startup-sidecars' },
};
const WRONG_TOKEN: WireError = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway token mismatch',
  details: { code: 'AUTH_TOKEN_MISMATCH', recommendedNextStep: 'update_auth_configuration' },
};

describe('connection paths', () => {
  it('a startup-sidecars refusal waits retryAfterMs without growing the backoff', () => {
    const c = startConnection();
    c.open();
    for (let refusal = 1; refusal <= 3; refusal++) {
      c.signal({ type: 'socket.opened' });
      c.signal({ type: 'socket.challenge' });
      c.signal({ type: 'socket.refused', error: STARTUP_SIDECARS });
      c.signal({ type: 'socket.closed', code: 1013, reason: 'gateway starting' });
      expect(c.status()).toMatchObject({ state: 'backoff', attempt: 0, retryInMs: 500 });
      expect(c.status().lastClose).toMatchObject({ code: 1013, kind: 'try-again-later' });
      c.clock.increment(499);
      expect(c.state()).toBe('backoff');
      c.clock.increment(1);
      expect(c.state()).toBe('opening');
    }
    expect(c.notices.filter((n) => n.type === 'connection.retrying')).toEqual([
      { type: 'connection.retrying', attempt: 1, delayMs: 500 },
      { type: 'connection.retrying', attempt: 1, delayMs: 500 },
      { type: 'connection.retrying', attempt: 1, delayMs: 500 },
    ]);
    // The first real failure after the refusals still starts the backoff at its first step.
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
  });

  it('a wrong token pauses with AUTH_TOKEN_MISMATCH and makes no further attempt', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.opened' });
    c.signal({ type: 'socket.challenge' });
    c.signal({ type: 'socket.refused', error: WRONG_TOKEN });
    c.signal({ type: 'socket.closed', code: 1008, reason: 'unauthorized' });

    expect(c.status()).toMatchObject({ state: 'paused', pauseReason: 'AUTH_TOKEN_MISMATCH', ready: false });
    expect(c.notices).toContainEqual({ type: 'connection.paused', reason: 'AUTH_TOKEN_MISMATCH', error: WRONG_TOKEN });
    expect(c.notices.some((n) => n.type === 'connection.retrying')).toBe(false);
    c.clock.increment(10 * 60_000);
    expect(c.state()).toBe('paused');
    expect(c.socket.instances).toHaveLength(1);
    expect(c.socket.live()).toHaveLength(0);

    // Only the host resumes it, with a fresh backoff.
    c.actor.send({ type: 'connection.resume' });
    expect(c.status()).toMatchObject({ state: 'opening', attempt: 0 });
    expect(c.status().pauseReason).toBeUndefined();
    expect(c.socket.instances).toHaveLength(2);
  });

  it('a ping unanswered within the pong deadline closes with 4000 within 10 s of the last frame, and reconnects', () => {
    const c = startConnection();
    c.open();
    c.handshake();
    const first = c.current();

    // Frames keep the link quiet: no ping while something arrived within the interval.
    c.clock.increment(4_999);
    c.signal({ type: 'socket.activity' });
    c.clock.increment(4_999);
    expect(first.received).toEqual([]);
    c.clock.increment(1);
    expect(first.received).toEqual([{ type: 'socket.ping' }]);

    // A pong answers: quiet again, and the next ping comes one interval later.
    c.signal({ type: 'socket.pong' });
    c.clock.increment(5_000);
    expect(first.received).toEqual([{ type: 'socket.ping' }, { type: 'socket.ping' }]);

    // The link stalls: no pong. 5 s later it is closed 4000, 10 s after the last thing it carried.
    c.clock.increment(4_999);
    expect(c.state()).toBe('ready');
    c.clock.increment(1);
    expect(c.state()).toBe('closing');
    expect(first.received.at(-1)).toEqual({ type: 'socket.close', code: 4000, reason: 'pong timeout' });
    expect(c.notices).toContainEqual({ type: 'connection.lost', code: 4000, reason: 'pong timeout', expected: false });
    c.signal({ type: 'socket.closed', code: 4000, reason: 'pong timeout' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
    c.waitOutBackoff();
    expect(c.state()).toBe('opening');
    expect(c.current()).not.toBe(first);
  });

  it('any inbound frame answers a pending ping as well as a pong does', () => {
    const c = startConnection({ pingIntervalMs: 1_000, pongTimeoutMs: 2_000 });
    c.open();
    c.handshake();
    c.clock.increment(1_000);
    expect(c.current().received).toEqual([{ type: 'socket.ping' }]);
    c.clock.increment(1_999);
    c.signal({ type: 'socket.activity' });
    c.clock.increment(1_999);
    expect(c.state()).toBe('ready');
  });

  it('no inbound frame for 2 ticks closes with 4000 and reconnects, even while pings are answered', () => {
    const c = startConnection();
    c.open();
    c.handshake({ ...TEST_HELLO, tickIntervalMs: 30_000 });
    const first = c.current();
    expect(c.state()).toBe('ready');
    // Pongs are answered every 5 s, but no frame comes: only the tick watchdog can tell.
    const answerPings = (ms: number) => {
      for (let left = ms; left > 0; left -= 5_000) {
        c.clock.increment(Math.min(5_000, left));
        if (c.state() === 'ready' && first.received.at(-1)?.type === 'socket.ping') c.signal({ type: 'socket.pong' });
      }
    };

    // Any inbound frame re-arms the watchdog.
    answerPings(55_000);
    c.signal({ type: 'socket.activity' });
    answerPings(55_000);
    c.clock.increment(4_999);
    expect(c.state()).toBe('ready');
    expect(first.received.filter((command) => command.type === 'socket.close')).toEqual([]);
    // Activity re-arms the watchdog without re-announcing the connection.
    expect(c.notices.filter((n) => n.type === 'connection.ready')).toHaveLength(1);

    c.clock.increment(1);
    expect(c.state()).toBe('closing');
    expect(first.received.filter((command) => command.type === 'socket.close')).toEqual([
      { type: 'socket.close', code: 4000, reason: 'tick timeout' },
    ]);
    expect(c.notices).toContainEqual({ type: 'connection.lost', code: 4000, reason: 'tick timeout', expected: false });

    c.signal({ type: 'socket.closed', code: 4000, reason: 'tick timeout' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
    expect(c.status().lastClose).toEqual({ code: 4000, reason: 'tick timeout', kind: 'client-timeout', expected: false });
    expect(first.alive).toBe(false);
    c.waitOutBackoff();
    expect(c.state()).toBe('opening');
    expect(c.current()).not.toBe(first);
  });

  it('a watchdog close the socket never confirms is given up after the close grace', () => {
    // Pings slower than the watchdog: this is about the watchdog's own close.
    const c = startConnection({ pingIntervalMs: 10 * TEST_HELLO.tickIntervalMs });
    c.open();
    c.handshake();
    c.clock.increment(2 * TEST_HELLO.tickIntervalMs);
    expect(c.state()).toBe('closing');
    c.clock.increment(CLOSE_GRACE_MS - 1);
    expect(c.state()).toBe('closing');
    c.clock.increment(1);
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1 });
    expect(c.status().lastClose).toMatchObject({ code: 4000, reason: 'tick timeout' });
    expect(c.socket.live()).toHaveLength(0);
  });

  it('a shutdown with restartExpectedMs makes the next 1012 expected', () => {
    const c = startConnection();
    c.open();
    c.handshake();
    c.signal({ type: 'socket.shutdown', reason: 'gateway restarting', restartExpectedMs: 1_500 });
    c.signal({ type: 'socket.closed', code: 1012, reason: 'service restart' });

    expect(c.notices).toContainEqual({ type: 'connection.lost', code: 1012, reason: 'service restart', expected: true });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 0, retryInMs: 1_500 });
    expect(c.status().lastClose).toEqual({ code: 1012, reason: 'service restart', kind: 'service-restart', expected: true });
    expect(c.notices).toContainEqual({ type: 'connection.retrying', attempt: 1, delayMs: 1_500 });

    // A stop announcement (no restartExpectedMs) is a plain loss with the ordinary backoff.
    c.waitOutBackoff();
    c.handshake();
    c.signal({ type: 'socket.shutdown', reason: 'gateway stopping' });
    c.signal({ type: 'socket.closed', code: 1012, reason: 'service restart' });
    expect(c.notices.at(-2)).toEqual({ type: 'connection.lost', code: 1012, reason: 'service restart', expected: false });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
  });

  it('backoff grows 1,2,4..30 s and resets on hello-ok', () => {
    const c = startConnection();
    c.open();
    const waitsMs: number[] = [];
    for (let failure = 0; failure < 7; failure++) {
      c.signal({ type: 'socket.closed', code: 1006, reason: 'connect ECONNREFUSED' });
      waitsMs.push(c.status().retryInMs ?? -1);
      c.waitOutBackoff();
      expect(c.state()).toBe('opening');
    }
    expect(waitsMs).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(c.context().attempt).toBe(7);

    c.handshake();
    expect(c.status()).toMatchObject({ state: 'ready', attempt: 0 });
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
  });

  it('the jitter source given as input shortens the wait, by at most a fifth', () => {
    for (const [random, expectedMs] of [
      [0.5, 900],
      [0.999, 800],
    ] as const) {
      const c = startConnection({ random: () => random });
      c.open();
      c.signal({ type: 'socket.closed', code: 1006, reason: '' });
      expect(c.status().retryInMs).toBe(expectedMs);
    }
  });

  it('a signal from an old epoch is dropped', () => {
    const c = startConnection();
    c.open();
    const old = c.current();
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    c.actor.send({ type: 'connection.reconnectNow' });
    expect(c.current().input.epoch).toBe(old.input.epoch + 1);

    // A late hello-ok of the replaced socket, relayed after its actor stopped.
    c.actor.send({ type: 'socket.hello', epoch: old.input.epoch, hello: TEST_HELLO });
    expect(c.state()).toBe('opening');
    expect(c.actionNames().filter((name) => name === 'dropStaleSignal')).toHaveLength(1);

    // The current socket is still heard.
    c.signal({ type: 'socket.opened' });
    expect(c.state()).toBe('awaitingChallenge');

    // Once a session has ended, even its own epoch is late: nothing is left to hear it.
    const ended = c.current().input.epoch;
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    c.actor.send({ type: 'socket.closed', epoch: ended, code: 1006, reason: 'duplicate close' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 2 });
    expect(c.actionNames().filter((name) => name === 'dropStaleSignal')).toHaveLength(2);
  });
});
