// Every fault the fake gateway can script ends in a typed signal, and every rpc request settles.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GatewaySocketDeps, type RpcChannel } from '../../src/adapters/websocket/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { ClientCloseCodes } from '../../src/protocol/index.js';
import {
  runSocketActor,
  startFakeGateway,
  type FakeGateway,
  type GatewayScript,
  type SocketActorHarness,
  socketLogic,
} from '../support/fake-gateway.js';
import { socketDeps } from '../support/socket-deps.js';
import { testRpcChannel } from '../support/rpc-channel.js';

const TOKEN = 'fault-token-abcdef';
let gateway: FakeGateway | undefined;
let harness: SocketActorHarness | undefined;
let rpc: RpcChannel;

beforeEach(() => {
  rpc = testRpcChannel({ defaultTimeoutMs: 2_000 });
});
afterEach(async () => {
  harness?.stop();
  harness = undefined;
  await gateway?.close();
  gateway = undefined;
});

function start(script: GatewayScript, overrides: Partial<GatewaySocketDeps> = {}): SocketActorHarness {
  if (!gateway) throw new Error('start the fake gateway first');
  harness = runSocketActor(socketLogic(socketDeps(gateway.url, TOKEN, rpc, overrides)));
  return harness;
}

/** How a promise settled, for asserting that it did. */
async function settle(promise: Promise<unknown>): Promise<{ value?: unknown; error?: { code?: string } }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error: error as { code?: string } };
  }
}

/** Starts the actor, waits for hello, and leaves one request in flight that the fake never answers. */
async function readyWithRequestInFlight(script: GatewayScript, overrides: Partial<GatewaySocketDeps> = {}) {
  gateway = await startFakeGateway({ onRequest: () => 'ignore', ...script });
  const h = start(script, overrides);
  await h.waitFor('socket.hello');
  const inFlight = settle(rpc.request('health'));
  while (rpc.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 1));
  return { h, inFlight };
}

describe('faults before hello-ok', () => {
  it('a gateway that never sends the challenge ends in a handshake timeout close, and queued requests time out', async () => {
    gateway = await startFakeGateway({ challenge: false });
    const queued = settle(rpc.request('health', undefined, { timeoutMs: 300 }));
    const h = start({}, { connectTimeoutMs: 100 });
    const closed = await h.waitFor('socket.closed');
    expect(closed).toMatchObject({ code: ClientCloseCodes.HANDSHAKE_TIMEOUT, reason: 'handshake timeout' });
    expect(h.signals.map((s) => s.type)).toEqual(['socket.opened', 'socket.closed']);
    expect((await queued).error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
    expect((await gateway.waitForClose(0)).code).toBe(ClientCloseCodes.HANDSHAKE_TIMEOUT);
  });

  it('a challenge without a nonce is a protocol error, closed with 4002', async () => {
    gateway = await startFakeGateway({ challenge: { payload: { ts: 1 } } });
    const h = start({});
    expect((await h.waitFor('socket.protocolError')).message).toContain('nonce');
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: ClientCloseCodes.PROTOCOL_ERROR });
    expect(gateway.connections[0]!.connectParams).toBeUndefined();
  });

  it('a refused connect signals the gateway error, then the gateway close code', async () => {
    const error = {
      code: 'INVALID_REQUEST',
      message: 'unauthorized: gateway token mismatch',
      details: { code: 'AUTH_TOKEN_MISMATCH', recommendedNextStep: 'update_auth_configuration' },
    };
    gateway = await startFakeGateway({ connect: { error, close: { code: 1008, reason: 'unauthorized' } } });
    const queued = settle(rpc.request('health', undefined, { timeoutMs: 300 }));
    const h = start({});
    expect((await h.waitFor('socket.refused')).error).toEqual(error);
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: 1008, reason: 'unauthorized' });
    expect((await queued).error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
  });

  it('a startup refusal keeps retryAfterMs and the 1013 close for the machine to decide', async () => {
    const error = {
      code: 'UNAVAILABLE',
      message: 'gateway starting; retry shortly',
      retryable: true,
      retryAfterMs: 500,
      details: { reason: 'startup-sidecars' },
    };
    gateway = await startFakeGateway({ connect: { error, close: { code: 1013, reason: 'gateway starting' } } });
    const h = start({});
    expect((await h.waitFor('socket.refused')).error).toEqual(error);
    expect((await h.waitFor('socket.closed')).code).toBe(1013);
  });

  it('a protocol-mismatch refusal is a refusal, not a crash', async () => {
    const error = { code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { code: 'PROTOCOL_MISMATCH', expectedProtocol: 5 } };
    gateway = await startFakeGateway({ connect: { error, close: { code: 1002, reason: 'protocol mismatch' } } });
    const h = start({});
    expect((await h.waitFor('socket.refused')).error.details).toMatchObject({ code: 'PROTOCOL_MISMATCH' });
    expect((await h.waitFor('socket.closed')).code).toBe(1002);
  });

  it('a refusing gateway that never closes is closed by us after the grace period', async () => {
    gateway = await startFakeGateway({ connect: { error: { code: 'NOT_PAIRED', message: 'pair first' }, close: null } });
    const h = start({}, { refusedCloseGraceMs: 50 });
    await h.waitFor('socket.refused');
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: 1000, reason: 'connect refused' });
  });

  it('a hello-ok missing policy fields is a protocol error naming them', async () => {
    gateway = await startFakeGateway({ connect: { helloOk: (h) => ({ ...h, policy: { maxPayload: 1 } }) } });
    const queued = settle(rpc.request('health', undefined, { timeoutMs: 300 }));
    const h = start({});
    expect((await h.waitFor('socket.protocolError')).message).toContain('policy.tickIntervalMs');
    expect((await h.waitFor('socket.closed')).code).toBe(ClientCloseCodes.PROTOCOL_ERROR);
    expect(h.signals.some((s) => s.type === 'socket.hello')).toBe(false);
    expect(rpc.stats().attached).toBe(false);
    expect((await queued).error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
  });

  it('a hello-ok with a protocol outside our range is a protocol error', async () => {
    gateway = await startFakeGateway({ connect: { helloOk: (h) => ({ ...h, protocol: 5 }) } });
    const h = start({});
    expect((await h.waitFor('socket.protocolError')).message).toContain('protocol 5');
    expect((await h.waitFor('socket.closed')).code).toBe(ClientCloseCodes.PROTOCOL_ERROR);
  });

  it('a stalled connect answer is ended by our own handshake timeout', async () => {
    gateway = await startFakeGateway({ connect: 'ignore' });
    const h = start({}, { connectTimeoutMs: 150 });
    await h.waitFor('socket.challenge');
    expect((await h.waitFor('socket.closed')).code).toBe(ClientCloseCodes.HANDSHAKE_TIMEOUT);
  });
});

describe('faults after hello-ok', () => {
  it.each([
    ['malformed JSON', { kind: 'raw' as const, text: '{"type":"event",' }, 'not valid JSON'],
    ['a non-JSON text frame', { kind: 'raw' as const, text: 'hello there' }, 'not valid JSON'],
    ['a binary frame', { kind: 'binary' as const, data: Buffer.from([1, 2, 3]) }, 'binary frame'],
    ['a JSON value that is not an object', { kind: 'raw' as const, text: '[1,2,3]' }, 'an array'],
    ['an unknown frame type', { kind: 'raw' as const, text: '{"type":"ping","id":"1"}' }, 'not req, res or event'],
    ['an invalid shutdown payload', { kind: 'event' as const, event: 'shutdown', payload: { when: 'now' } }, 'shutdown payload'],
  ])('%s is a protocol error that closes 4002 and fails the in-flight request', async (_name, action, text) => {
    const { h, inFlight } = await readyWithRequestInFlight({});
    gateway!.connections[0]!.run([action]);
    expect((await h.waitFor('socket.protocolError')).message).toContain(text);
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: ClientCloseCodes.PROTOCOL_ERROR, reason: 'protocol error' });
    expect((await inFlight).error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED, retryable: true });
    expect((await gateway!.waitForClose(0)).code).toBe(ClientCloseCodes.PROTOCOL_ERROR);
    expect(h.signals.at(-1)!.type).toBe('socket.closed');
  });

  it('a response for an unknown id is ignored and counted, and the connection keeps working', async () => {
    gateway = await startFakeGateway({ afterHello: [{ kind: 'response', id: 'nobody-asked', ok: true, payload: 1 }] });
    const h = start({});
    await h.waitFor('socket.hello');
    await expect(rpc.request('health')).resolves.toEqual({ method: 'health' });
    expect(rpc.stats().unknownResponses).toBe(1);
    expect(h.signals.some((s) => s.type === 'socket.protocolError' || s.type === 'socket.closed')).toBe(false);
  });

  it('a frame above our inbound limit closes 1009 and fails the in-flight request', async () => {
    const { h, inFlight } = await readyWithRequestInFlight({}, { maxInboundFrameBytes: 64 * 1024 });
    gateway!.connections[0]!.run([{ kind: 'oversized', bytes: 200 * 1024 }]);
    const closed = await h.waitFor('socket.closed');
    expect(closed.code).toBe(ClientCloseCodes.MESSAGE_TOO_BIG);
    expect(closed.reason).toMatch(/payload/i);
    expect((await inFlight).error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED });
  });

  it('a stalled gateway (no ticks, no answers) leaves requests to their deadline and the socket open', async () => {
    const { h, inFlight } = await readyWithRequestInFlight({}, { activityThrottleMs: 0 });
    const activityBefore = h.signals.filter((s) => s.type === 'socket.activity').length;
    const timedOut = await settle(rpc.request('status', undefined, { timeoutMs: 100 }));
    expect(timedOut.error).toMatchObject({ code: ErrorCodes.REQUEST_TIMEOUT });
    expect(h.signals.filter((s) => s.type === 'socket.activity')).toHaveLength(activityBefore);
    expect(h.signals.some((s) => s.type === 'socket.closed')).toBe(false);
    h.send({ type: 'socket.close', code: 4000, reason: 'watchdog' });
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: 4000, reason: 'watchdog' });
    expect((await inFlight).error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED });
    expect((await gateway!.waitForClose(0)).code).toBe(4000);
  });

  it('a gateway that closes with a code reports that code and fails the in-flight request', async () => {
    const { h, inFlight } = await readyWithRequestInFlight({});
    gateway!.connections[0]!.run([{ kind: 'close', code: 1012, reason: 'service restart' }]);
    expect(await h.waitFor('socket.closed')).toMatchObject({ code: 1012, reason: 'service restart' });
    expect((await inFlight).error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED, details: { closeCode: 1012 } });
  });

  it('a gateway that drops the TCP connection reports 1006', async () => {
    const { h, inFlight } = await readyWithRequestInFlight({});
    gateway!.connections[0]!.run([{ kind: 'terminate' }]);
    expect((await h.waitFor('socket.closed')).code).toBe(1006);
    expect((await inFlight).error).toMatchObject({ code: ErrorCodes.CONNECTION_CLOSED });
  });
});
