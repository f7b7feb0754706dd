import { describe, expect, it } from 'vitest';
import { classifyRefusal, PAUSING_REFUSAL_CODES, refusalCode } from '../../src/machines/policy/refusals.js';
import type { WireError } from '../../src/protocol/index.js';

const withDetail = (code: string, details: Record<string, unknown> = {}): WireError => ({
  code: 'INVALID_REQUEST',
  message: 'connect refused',
  details: { code, ...details },
});

// Every detail code of @openclaw/gateway-protocol's ConnectErrorDetailCodes, with what it should do.
const GATEWAY_DETAIL_CODES: Array<[string, 'pause' | 'retry']> = [
  ['AUTH_REQUIRED', 'pause'],
  ['AUTH_UNAUTHORIZED', 'pause'],
  ['AUTH_TOKEN_MISSING', 'pause'],
  ['AUTH_TOKEN_MISMATCH', 'pause'],
  ['AUTH_TOKEN_NOT_CONFIGURED', 'pause'],
  ['AUTH_PASSWORD_MISSING', 'pause'],
  ['AUTH_PASSWORD_MISMATCH', 'pause'],
  ['AUTH_PASSWORD_NOT_CONFIGURED', 'pause'],
  ['AUTH_BOOTSTRAP_TOKEN_INVALID', 'pause'],
  // The socket adapter drops the refused stored device token and falls back to the shared token.
  ['AUTH_DEVICE_TOKEN_MISMATCH', 'retry'],
  ['AUTH_SCOPE_MISMATCH', 'pause'],
  ['AUTH_RATE_LIMITED', 'pause'],
  ['AUTH_TAILSCALE_IDENTITY_MISSING', 'pause'],
  ['AUTH_TAILSCALE_PROXY_MISSING', 'pause'],
  ['AUTH_TAILSCALE_WHOIS_FAILED', 'pause'],
  ['AUTH_TAILSCALE_IDENTITY_MISMATCH', 'pause'],
  ['AUTH_IDENTITY_HEADER_REQUIRED', 'pause'],
  ['AUTH_VERIFIED_USER_REQUIRED', 'pause'],
  ['AUTHENTICATED_PROFILE_UNAVAILABLE', 'retry'],
  ['CONTROL_UI_BUILD_MISMATCH', 'pause'],
  ['CONTROL_UI_ORIGIN_NOT_ALLOWED', 'pause'],
  ['PROTOCOL_MISMATCH', 'pause'],
  ['CONTROL_UI_DEVICE_IDENTITY_REQUIRED', 'pause'],
  ['DEVICE_IDENTITY_REQUIRED', 'pause'],
  ['DEVICE_AUTH_INVALID', 'pause'],
  ['DEVICE_AUTH_DEVICE_ID_MISMATCH', 'pause'],
  ['DEVICE_AUTH_SIGNATURE_EXPIRED', 'pause'],
  ['DEVICE_AUTH_NONCE_REQUIRED', 'pause'],
  ['DEVICE_AUTH_NONCE_MISMATCH', 'pause'],
  ['DEVICE_AUTH_SIGNATURE_INVALID', 'pause'],
  ['DEVICE_AUTH_PUBLIC_KEY_INVALID', 'pause'],
  ['PAIRING_REQUIRED', 'pause'],
  ['CLIENT_VERSION_MISMATCH', 'pause'],
];

describe('connect refusals', () => {
  it('pauses on every auth, identity, pairing and version code of the gateway, and only those', () => {
    for (const [code, kind] of GATEWAY_DETAIL_CODES) {
      const decision = classifyRefusal(withDetail(code));
      expect([code, decision]).toEqual([code, kind === 'pause' ? { kind: 'pause', reason: code } : { kind: 'retry' }]);
    }
  });

  it('pauses on a top-level NOT_PAIRED, naming the more specific detail code when there is one', () => {
    expect(classifyRefusal({ code: 'NOT_PAIRED', message: 'pairing required' })).toEqual({ kind: 'pause', reason: 'NOT_PAIRED' });
    expect(classifyRefusal({ code: 'NOT_PAIRED', message: 'x', details: { code: 'DEVICE_IDENTITY_REQUIRED' } })).toEqual({
      kind: 'pause',
      reason: 'DEVICE_IDENTITY_REQUIRED',
    });
    expect(PAUSING_REFUSAL_CODES.has('NOT_PAIRED')).toBe(true);
  });

  it('keeps retrying a pairing that asks the client to wait', () => {
    expect(classifyRefusal(withDetail('PAIRING_REQUIRED', { recommendedNextStep: 'wait_then_retry' }))).toEqual({ kind: 'retry' });
    expect(classifyRefusal(withDetail('PAIRING_REQUIRED', { pauseReconnect: false }))).toEqual({ kind: 'retry' });
    expect(classifyRefusal(withDetail('PAIRING_REQUIRED', { pauseReconnect: true }))).toEqual({
      kind: 'pause',
      reason: 'PAIRING_REQUIRED',
    });
  });

  it('waits retryAfterMs when the gateway says when to come back', () => {
    const startup: WireError = {
      code: 'UNAVAILABLE',
      message: 'gateway starting; retry shortly',
      retryable: true,
      retryAfterMs: 500,
      details: { reason: 'startup-sidecars' },
    };
    expect(classifyRefusal(startup)).toEqual({ kind: 'retry-after', retryAfterMs: 500 });
    expect(classifyRefusal({ ...startup, retryAfterMs: 0 })).toEqual({ kind: 'retry-after', retryAfterMs: 0 });
  });

  it('ignores a retryAfterMs that is unusable or marked not retryable', () => {
    const base: WireError = { code: 'UNAVAILABLE', message: 'x' };
    for (const retryAfterMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(classifyRefusal({ ...base, retryAfterMs })).toEqual({ kind: 'retry' });
    }
    expect(classifyRefusal({ ...base, retryAfterMs: 500, retryable: false })).toEqual({ kind: 'retry' });
  });

  it('a pausing code wins over a retryAfterMs', () => {
    expect(classifyRefusal(withDetail('AUTH_RATE_LIMITED', {}))).toMatchObject({ kind: 'pause' });
    expect(classifyRefusal({ ...withDetail('AUTH_RATE_LIMITED'), retryAfterMs: 60_000 })).toEqual({
      kind: 'pause',
      reason: 'AUTH_RATE_LIMITED',
    });
  });

  it('retries anything it does not recognise, and reads only well-formed detail codes', () => {
    const busy: WireError = { code: 'UNAVAILABLE', message: 'The server is busy', retryable: true };
    expect(classifyRefusal(busy)).toEqual({ kind: 'retry' });
    for (const details of ['AUTH_TOKEN_MISMATCH', [{ code: 'AUTH_TOKEN_MISMATCH' }], { code: 42 }, null]) {
      expect(classifyRefusal({ code: 'INVALID_REQUEST', message: 'x', details })).toEqual({ kind: 'retry' });
    }
    expect(classifyRefusal(withDetail('  AUTH_TOKEN_MISMATCH  '))).toEqual({ kind: 'pause', reason: 'AUTH_TOKEN_MISMATCH' });
  });

  it('reports the most specific code', () => {
    expect(refusalCode(withDetail('AUTH_TOKEN_MISMATCH'))).toBe('AUTH_TOKEN_MISMATCH');
    expect(refusalCode({ code: 'UNAVAILABLE', message: 'x', details: { reason: 'startup-sidecars' } })).toBe('UNAVAILABLE');
    expect(refusalCode(withDetail('   '))).toBe('INVALID_REQUEST');
  });
});
