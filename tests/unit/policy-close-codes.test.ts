import { describe, expect, it } from 'vitest';
import { classifyCloseCode, CloseCodes, decideReconnect, type CloseKind } from '../../src/machines/policy/close-codes.js';
import type { WireError } from '../../src/protocol/index.js';

describe('close codes', () => {
  it('classifies every code the gateway, ws and we can produce', () => {
    const expected: Array<[number, CloseKind]> = [
      [1000, 'normal'],
      [1001, 'normal'],
      [1005, 'normal'],
      [1006, 'abnormal'],
      [1015, 'abnormal'],
      [1002, 'protocol-error'],
      [1003, 'protocol-error'],
      [1007, 'protocol-error'],
      [1010, 'protocol-error'],
      [1008, 'policy'],
      [1009, 'too-big'],
      [1011, 'server-error'],
      [1014, 'server-error'],
      [1012, 'service-restart'],
      [1013, 'try-again-later'],
      [4000, 'client-timeout'],
      [3000, 'application'],
      [4001, 'application'],
      [4999, 'application'],
      [999, 'unknown'],
      [1004, 'unknown'],
      [1016, 'unknown'],
      [2999, 'unknown'],
      [5000, 'unknown'],
      [-1, 'unknown'],
      [Number.NaN, 'unknown'],
    ];
    for (const [code, kind] of expected) expect([code, classifyCloseCode(code)]).toEqual([code, kind]);
  });

  it('names our watchdog code like the reference client', () => {
    expect(CloseCodes.CLIENT_TIMEOUT).toBe(4000);
  });
});

const refusal = (detailCode: string, extra: Partial<WireError> = {}): WireError => ({
  code: 'INVALID_REQUEST',
  message: 'refused',
  details: { code: detailCode },
  ...extra,
});

describe('reconnect decision after a close', () => {
  it('pauses on the refusal that preceded the close, whatever the code', () => {
    expect(decideReconnect({ code: 1008, refusal: refusal('AUTH_TOKEN_MISMATCH') })).toEqual({
      action: 'pause',
      reason: 'AUTH_TOKEN_MISMATCH',
    });
    expect(decideReconnect({ code: 1002, refusal: refusal('PROTOCOL_MISMATCH') })).toEqual({
      action: 'pause',
      reason: 'PROTOCOL_MISMATCH',
    });
    // Even if the gateway went down in the same moment, the credentials are still wrong.
    expect(decideReconnect({ code: 1006, refusal: refusal('DEVICE_AUTH_SIGNATURE_INVALID'), restartExpectedMs: 1_500 })).toEqual({
      action: 'pause',
      reason: 'DEVICE_AUTH_SIGNATURE_INVALID',
    });
  });

  it('waits exactly the retryAfterMs of a startup-sidecars refusal', () => {
    const startup: WireError = {
      code: 'UNAVAILABLE',
      message: 'gateway starting; retry shortly',
      retryable: true,
      retryAfterMs: 500,
      details: { reason: 'startup-sidecars' },
    };
    expect(decideReconnect({ code: 1013, refusal: startup })).toEqual({ action: 'wait', delayMs: 500, cause: 'retry-after' });
  });

  it('waits restartExpectedMs after an announced restart, whatever the close code', () => {
    for (const code of [1012, 1006, 1001]) {
      expect(decideReconnect({ code, restartExpectedMs: 1_500 })).toEqual({
        action: 'wait',
        delayMs: 1_500,
        cause: 'restart-expected',
      });
    }
  });

  it('prefers a retry-after refusal over an announced restart', () => {
    const busy: WireError = { code: 'UNAVAILABLE', message: 'busy', retryAfterMs: 200 };
    expect(decideReconnect({ code: 1013, refusal: busy, restartExpectedMs: 1_500 })).toMatchObject({ delayMs: 200 });
  });

  it('ignores a restart estimate that is not a usable number', () => {
    for (const restartExpectedMs of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(decideReconnect({ code: 1012, restartExpectedMs })).toEqual({ action: 'backoff' });
    }
  });

  it('backs off on every code when nothing explains the close', () => {
    for (const code of [1000, 1001, 1002, 1006, 1008, 1009, 1011, 1012, 1013, 4000, 4321]) {
      expect([code, decideReconnect({ code })]).toEqual([code, { action: 'backoff' }]);
    }
  });

  it('backs off after a refusal that is neither pausing nor timed', () => {
    const busy: WireError = { code: 'UNAVAILABLE', message: 'The server is busy', retryable: true };
    expect(decideReconnect({ code: 1008, refusal: busy })).toEqual({ action: 'backoff' });
  });
});
