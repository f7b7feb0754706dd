import { describe, expect, it } from 'vitest';
import { ClientCloseCodes, parseFrame, serializeRequest, ShutdownPayloadSchema } from '../../src/protocol/index.js';

describe('parseFrame', () => {
  it('accepts a successful response and keeps its payload', () => {
    const result = parseFrame('{"type":"res","id":"r1","ok":true,"payload":{"ok":true}}');
    expect(result).toEqual({ ok: true, frame: { type: 'res', id: 'r1', ok: true, payload: { ok: true } } });
  });

  it('accepts a failed response with the full error shape', () => {
    const error = { code: 'UNAVAILABLE', message: 'busy', retryable: true, retryAfterMs: 500, details: { reason: 'x' } };
    const result = parseFrame(JSON.stringify({ type: 'res', id: 'r2', ok: false, error }));
    expect(result.ok && result.frame.type === 'res' && !result.frame.ok && result.frame.error).toEqual(error);
  });

  it('rejects a failed response that carries no error, since the caller would have nothing to branch on', () => {
    const result = parseFrame('{"type":"res","id":"r3","ok":false}');
    expect(result).toMatchObject({ ok: false, kind: 'invalid-frame' });
  });

  it('accepts an event with seq and unknown extra keys', () => {
    const result = parseFrame('{"type":"event","event":"tick","payload":{"ts":1},"seq":7,"stateVersion":{"presence":1},"x":1}');
    expect(result).toMatchObject({ ok: true, frame: { type: 'event', event: 'tick', seq: 7, payload: { ts: 1 } } });
  });

  it('accepts a request frame (the union is symmetric even though gateways do not send them)', () => {
    expect(parseFrame('{"type":"req","id":"1","method":"m"}')).toMatchObject({ ok: true, frame: { type: 'req' } });
  });

  it.each([
    ['malformed JSON', '{"type":', 'malformed-json'],
    ['plain text', 'hello gateway', 'malformed-json'],
    ['a number', '42', 'not-object'],
    ['null', 'null', 'not-object'],
    ['an array', '[1,2]', 'not-object'],
    ['an unknown type', '{"type":"ping"}', 'unknown-type'],
    ['a missing type', '{"id":"1"}', 'unknown-type'],
    ['a response without id', '{"type":"res","ok":true}', 'invalid-frame'],
    ['an event with a negative seq', '{"type":"event","event":"e","seq":-1}', 'invalid-frame'],
    [
      'an error with a fractional retryAfterMs',
      '{"type":"res","id":"1","ok":false,"error":{"code":"X","message":"m","retryAfterMs":1.5}}',
      'invalid-frame',
    ],
  ])('classifies %s without throwing', (_name, text, kind) => {
    const result = parseFrame(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.kind).toBe(kind);
  });

  it('never echoes frame content in its message', () => {
    const secret = 'SECRET-TOKEN-VALUE';
    for (const text of [`{"type":"${secret}"}`, `{"type":"res","id":"1","ok":"${secret}"}`, `not json ${secret}`]) {
      const result = parseFrame(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).not.toContain(secret);
    }
  });
});

describe('serializeRequest', () => {
  it('omits params when undefined and keeps them otherwise', () => {
    expect(JSON.parse(serializeRequest('1', 'health'))).toEqual({ type: 'req', id: '1', method: 'health' });
    expect(JSON.parse(serializeRequest('2', 'status', { a: 1 }))).toEqual({ type: 'req', id: '2', method: 'status', params: { a: 1 } });
  });
});

describe('shutdown payload', () => {
  it('reads the reason and the optional restartExpectedMs', () => {
    expect(ShutdownPayloadSchema.parse({ reason: 'gateway restarting', restartExpectedMs: 1500 })).toEqual({
      reason: 'gateway restarting',
      restartExpectedMs: 1500,
    });
    expect(ShutdownPayloadSchema.safeParse({ restartExpectedMs: 1 }).success).toBe(false);
  });
});

describe('client close codes', () => {
  it('keeps our own codes in the application range so they never collide with the gateway codes', () => {
    expect(ClientCloseCodes.PROTOCOL_ERROR).toBeGreaterThanOrEqual(4000);
    expect(ClientCloseCodes.HANDSHAKE_TIMEOUT).toBeGreaterThanOrEqual(4000);
    expect(ClientCloseCodes.PROTOCOL_ERROR).not.toBe(ClientCloseCodes.HANDSHAKE_TIMEOUT);
  });
});
