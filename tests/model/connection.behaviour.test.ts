// Behaviours of the connection machine beyond the headline paths: who hears the notices, host commands,
// deadlines, failing socket actors, and the refusals that must (or must not) pause.
import { createActor, fromCallback, SimulatedClock, type AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine, selectConnectionStatus } from '../../src/machines/connection/index.js';
import type { WireError } from '../../src/protocol/index.js';
import type { ConnectionNotice } from '../../src/machines/connection/types.js';
import { startConnection, TEST_HELLO } from './support/connection-harness.js';

describe('connection behaviour', () => {
  it('the supervisor given as input hears every notice, in the order listeners hear them', () => {
    const heard: AnyEventObject[] = [];
    const supervisor = createActor(fromCallback(({ receive }) => receive((event) => heard.push(event))));
    supervisor.start();
    const c = startConnection({ supervisor });
    c.open();
    c.handshake();
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });

    const types = c.notices.map((notice) => notice.type);
    expect(types).toEqual(['connection.ready', 'connection.lost', 'connection.retrying']);
    expect(heard).toEqual(c.notices);
  });

  it('closing a ready connection tells listeners it was lost on purpose and stops the socket', () => {
    const c = startConnection();
    c.open();
    c.handshake();
    const socket = c.current();
    c.actor.send({ type: 'connection.close' });

    expect(c.state()).toBe('closed');
    expect(socket.alive).toBe(false);
    expect(c.notices.at(-1)).toEqual({ type: 'connection.lost', code: 1000, reason: 'closed by host', expected: true });
    // Closed stays closed, whatever time passes.
    c.clock.increment(60 * 60_000);
    expect(c.state()).toBe('closed');
    expect(c.socket.instances).toHaveLength(1);
  });

  it('closing during a backoff cancels the pending reconnect', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    c.actor.send({ type: 'connection.close' });
    c.clock.increment(60_000);
    expect(c.state()).toBe('closed');
    expect(c.socket.instances).toHaveLength(1);

    c.open();
    expect(c.status()).toMatchObject({ state: 'opening', attempt: 0 });
  });

  it('reconnectNow skips the rest of the backoff wait', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    c.actor.send({ type: 'connection.reconnectNow' });
    expect(c.status()).toMatchObject({ state: 'opening', attempt: 1 });
    expect(c.socket.instances).toHaveLength(2);
  });

  it('a handshake that does not reach hello-ok within challengeTimeoutMs is closed with 4000 and retried', () => {
    const c = startConnection({ challengeTimeoutMs: 5_000 });
    c.open();
    c.signal({ type: 'socket.opened' });
    c.clock.increment(4_999);
    expect(c.state()).toBe('awaitingChallenge');
    c.clock.increment(1);
    expect(c.state()).toBe('closing');
    expect(c.current().received).toEqual([{ type: 'socket.close', code: 4000, reason: 'handshake timeout' }]);
    c.signal({ type: 'socket.closed', code: 4000, reason: 'handshake timeout' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1 });
    // Never ready, so never lost.
    expect(c.notices.some((notice) => notice.type === 'connection.lost')).toBe(false);
  });

  it('a socket actor that fails to start counts as a 1006 close and backs off', () => {
    const c = startConnection();
    c.socket.failNextStart(new Error('Invalid URL'));
    c.open();
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1, retryInMs: 1_000 });
    expect(c.status().lastClose).toMatchObject({ code: 1006, kind: 'abnormal', reason: 'socket actor failed: Invalid URL' });
    c.waitOutBackoff();
    expect(c.state()).toBe('opening');
  });

  it('without a provided gatewaySocket it backs off and says what is missing', () => {
    const clock = new SimulatedClock();
    const actor = createActor(connectionMachine, { clock, input: { url: 'ws://127.0.0.1:1', random: () => 0 } });
    actor.start();
    actor.send({ type: 'connection.open' });
    const status = selectConnectionStatus(actor.getSnapshot());
    expect(status.state).toBe('backoff');
    expect(status.lastClose?.reason).toContain('gatewaySocket actor not provided');
    actor.stop();
  });

  it('autoOpen starts the first session without a connection.open', () => {
    const c = startConnection({ autoOpen: true });
    expect(c.state()).toBe('opening');
    expect(c.current().input.epoch).toBe(1);
  });

  it('a protocol-version refusal pauses with PROTOCOL_MISMATCH after the 1002 close', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.opened' });
    c.signal({ type: 'socket.challenge' });
    const mismatch: WireError = {
      code: 'INVALID_REQUEST',
      message: 'protocol mismatch',
      details: { code: 'PROTOCOL_MISMATCH' },
    };
    c.signal({ type: 'socket.refused', error: mismatch });
    c.signal({ type: 'socket.closed', code: 1002, reason: 'protocol mismatch' });
    expect(c.status()).toMatchObject({ state: 'paused', pauseReason: 'PROTOCOL_MISMATCH' });
    expect(c.status().lastClose?.kind).toBe('protocol-error');
  });

  it('a pairing refusal that asks the client to wait keeps retrying with the backoff', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.opened' });
    c.signal({ type: 'socket.challenge' });
    const pending: WireError = {
      code: 'NOT_PAIRED',
      message: 'pairing required',
      details: { code: 'PAIRING_REQUIRED', recommendedNextStep: 'wait_then_retry', pauseReconnect: false },
    };
    c.signal({ type: 'socket.refused', error: pending });
    c.signal({ type: 'socket.closed', code: 1008, reason: 'pairing required' });
    expect(c.status()).toMatchObject({ state: 'backoff', attempt: 1 });
  });

  it('a paused connection can be opened again by the host', () => {
    const c = startConnection();
    c.open();
    c.signal({ type: 'socket.opened' });
    c.signal({ type: 'socket.challenge' });
    const noIdentity: WireError = {
      code: 'NOT_PAIRED',
      message: 'device identity required',
      details: { code: 'DEVICE_IDENTITY_REQUIRED' },
    };
    c.signal({ type: 'socket.refused', error: noIdentity });
    c.signal({ type: 'socket.closed', code: 1008, reason: 'device identity required' });
    expect(c.status()).toMatchObject({ state: 'paused', pauseReason: 'DEVICE_IDENTITY_REQUIRED' });
    c.open();
    expect(c.status()).toMatchObject({ state: 'opening', attempt: 0 });
  });

  it('the status of a ready connection names the server and survives JSON', () => {
    const c = startConnection();
    c.open();
    c.handshake();
    const status = c.status();
    expect(status).toEqual({
      state: 'ready',
      url: 'ws://127.0.0.1:18789',
      attempt: 0,
      ready: true,
      server: { version: TEST_HELLO.serverVersion, bootId: TEST_HELLO.bootId, connId: TEST_HELLO.connId },
    });
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    expect(c.actor.getSnapshot().hasTag('connected')).toBe(true);
  });

  it('every notice the machine emits is one of the ConnectionNotice shapes', () => {
    const c = startConnection();
    c.open();
    c.handshake();
    c.signal({ type: 'socket.closed', code: 1006, reason: '' });
    c.waitOutBackoff();
    c.signal({ type: 'socket.opened' });
    c.signal({ type: 'socket.challenge' });
    const wrongPassword: WireError = { code: 'INVALID_REQUEST', message: 'x', details: { code: 'AUTH_PASSWORD_MISMATCH' } };
    c.signal({ type: 'socket.refused', error: wrongPassword });
    c.signal({ type: 'socket.closed', code: 1008, reason: '' });
    const shapes: Record<ConnectionNotice['type'], string[]> = {
      'connection.ready': ['hello', 'type'],
      'connection.lost': ['code', 'expected', 'reason', 'type'],
      'connection.retrying': ['attempt', 'delayMs', 'type'],
      'connection.paused': ['error', 'reason', 'type'],
    };
    expect(c.notices.map((notice) => notice.type)).toEqual(['connection.ready', 'connection.lost', 'connection.retrying', 'connection.paused']);
    for (const notice of c.notices) expect(Object.keys(notice).sort()).toEqual(shapes[notice.type]);
  });
});
