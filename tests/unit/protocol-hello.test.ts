import { describe, expect, it } from 'vitest';
import { isSupportedProtocol, parseHelloOk, summarizeHello } from '../../src/protocol/index.js';
import { helloOkPayload } from '../support/fake-gateway.js';

describe('hello-ok', () => {
  it('summarizes the fields the connection machine uses', () => {
    const parsed = parseHelloOk(
      helloOkPayload({ auth: { method: 'device-token', role: 'operator', scopes: ['operator.admin'], deviceToken: 'DT' } }),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(summarizeHello(parsed.hello)).toEqual({
      protocol: 4,
      serverVersion: '2026.9.6-fake',
      bootId: 'boot-fake-1',
      connId: 'conn-fake-1',
      tickIntervalMs: 30_000,
      maxPayload: 26_214_400,
      maxBufferedBytes: 52_428_800,
      authMethod: 'device-token',
      role: 'operator',
      scopes: ['operator.admin'],
      methodCount: 3,
    });
  });

  it('keeps fields it does not validate (snapshot, control UI hints)', () => {
    const parsed = parseHelloOk(helloOkPayload({ snapshot: { health: { ok: true } }, controlUiUrl: 'http://x' }));
    expect(parsed.ok && parsed.hello).toMatchObject({ snapshot: { health: { ok: true } }, controlUiUrl: 'http://x' });
  });

  it('keeps the summary free of the device token', () => {
    const parsed = parseHelloOk(helloOkPayload({ auth: { role: 'operator', scopes: [], deviceToken: 'SECRET-DEVICE-TOKEN' } }));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(JSON.stringify(summarizeHello(parsed.hello))).not.toContain('SECRET-DEVICE-TOKEN');
  });

  it.each([
    ['server.bootId', (h: Record<string, unknown>) => ({ ...h, server: { version: 'v', connId: 'c' } })],
    ['policy.tickIntervalMs', (h: Record<string, unknown>) => ({ ...h, policy: { maxPayload: 1, maxBufferedBytes: 1 } })],
    ['auth', (h: Record<string, unknown>) => ({ ...h, auth: undefined })],
    ['features.methods', (h: Record<string, unknown>) => ({ ...h, features: { events: [] } })],
    ['type', (h: Record<string, unknown>) => ({ ...h, type: 'hello' })],
  ])('names the missing or wrong field %s', (field, mutate) => {
    const parsed = parseHelloOk(mutate(helloOkPayload()));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain(field);
  });

  it('accepts protocol 4 only', () => {
    expect(isSupportedProtocol(4)).toBe(true);
    expect(isSupportedProtocol(3)).toBe(false);
    expect(isSupportedProtocol(5)).toBe(false);
  });
});
