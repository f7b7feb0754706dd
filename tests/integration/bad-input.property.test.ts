// Bad input, generated: random option objects for createGatewaySupervisor, wrong argument types for every
// public method, and random frames from the fake gateway in answer to requests. Nothing crashes, nothing
// hangs, every request settles (once: a promise cannot do otherwise) within its deadline plus slack, and
// every refusal is a typed error that names the argument.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createGatewaySupervisor, type GatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { startFakeGateway, type FakeAction, type FakeGateway, type RequestAnswer } from '../support/fake-gateway.js';

const OPTION_KEYS = [
  'name',
  'mode',
  'url',
  'host',
  'port',
  'token',
  'device',
  'scopes',
  'client',
  'stateDir',
  'nodePath',
  'openclawEntry',
  'resolveFrom',
  'skipChannels',
  'dev',
  'env',
  'requestTimeoutMs',
  'maxInFlight',
  'reconnect',
  'liveness',
  'crash',
  'stopGraceMs',
  'reloadTimeoutMs',
  'logger',
  'inspect',
  'bogus',
] as const;

/** A value of a plausible kind for any option: right types, wrong types, nulls, nested junk. */
const anyValue = fc.oneof(
  fc.constantFrom('managed', 'attach', 'auto', 'ws://127.0.0.1:1', '/tmp/x', '', 'default'),
  fc.integer({ min: -5, max: 70_000 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.anything({ maxDepth: 2 }),
);

describe('bad input, generated', () => {
  it('createGatewaySupervisor: any options object either builds a supervisor or throws a ConfigError naming a field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.dictionary(fc.constantFrom(...OPTION_KEYS), anyValue, { maxKeys: 8 }), fc.anything({ maxDepth: 2 })),
        async (options) => {
          let supervisor: GatewaySupervisor | undefined;
          try {
            supervisor = createGatewaySupervisor(options as never);
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            const issues = (error as ConfigError).issues;
            expect(issues.length).toBeGreaterThan(0);
            for (const issue of issues) expect(issue.field).toMatch(/\S/);
            return;
          }
          // Built: it must be usable and release everything.
          expect(supervisor.getStatus().state).toBe('stopped');
          await supervisor.dispose();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every public method refuses null, numbers, strings and unknown fields with a typed error naming the argument', async () => {
    const supervisor = createGatewaySupervisor({ mode: 'attach', url: 'ws://127.0.0.1:9', token: 't', logger: silentLogger });
    try {
      for (const bad of [null, 42, '', [], { nope: 1 }]) {
        await expect(supervisor.request(bad as never)).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          issues: [expect.objectContaining({ field: 'method' })],
        });
      }
      for (const bad of [null, 42, 'x', [], { nope: 1 }]) {
        await expect(supervisor.request('health', undefined, bad as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
        await expect(supervisor.setCredentials(bad as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      }
      await expect(supervisor.request('health', undefined, { timeoutMs: -1 })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        issues: [expect.objectContaining({ field: 'opts.timeoutMs' })],
      });
      await expect(supervisor.setCredentials({ token: 'ok', extra: 1 } as never)).rejects.toMatchObject({
        issues: [expect.objectContaining({ field: 'extra' })],
      });
      expect(() => createGatewaySupervisor(null as never)).toThrow(ConfigError);
      expect(() => createGatewaySupervisor(42 as never)).toThrow(ConfigError);
      expect(() => createGatewaySupervisor('managed' as never)).toThrow(ConfigError);
    } finally {
      await supervisor.dispose();
    }
  });

  describe('random frames from the gateway', () => {
    let fake: FakeGateway;
    // What the fake answers the next requests with; set by each generated case.
    let answers: RequestAnswer[] = [];
    let served = 0;

    beforeAll(async () => {
      fake = await startFakeGateway({
        onRequest: (frame) => {
          const answer = answers[served++ % Math.max(answers.length, 1)] ?? 'ignore';
          // `id: '<own>'` in a generated response stands for the request's own id.
          return Array.isArray(answer) ? answer.map((a) => (a.kind === 'response' && a.id === '<own>' ? { ...a, id: frame.id } : a)) : answer;
        },
      });
    });
    afterAll(async () => {
      await fake?.close();
    });

    const wireError = fc.oneof(
      fc.record({ code: fc.string(), message: fc.string() }, { requiredKeys: [] }),
      fc.record({
        code: fc.constantFrom('UNAVAILABLE', 'INVALID_REQUEST', 'FORBIDDEN'),
        message: fc.string(),
        retryable: fc.boolean(),
        retryAfterMs: fc.integer({ min: 0, max: 400 }),
        details: fc.anything({ maxDepth: 1 }),
      }),
    ) as fc.Arbitrary<never>;
    const action: fc.Arbitrary<FakeAction> = fc.oneof(
      fc.record({ kind: fc.constant('raw' as const), text: fc.oneof(fc.string(), fc.json(), fc.constant('{"type":"res"')) }),
      fc.record({ kind: fc.constant('raw' as const), text: fc.jsonValue().map((v) => JSON.stringify(v)) }),
      fc.record({ kind: fc.constant('event' as const), event: fc.string(), payload: fc.jsonValue(), seq: fc.integer({ min: -1, max: 5 }) }),
      fc.record({ kind: fc.constant('response' as const), id: fc.constantFrom('<own>', 'r999', ''), ok: fc.constant(true), payload: fc.jsonValue() }),
      fc.record({ kind: fc.constant('response' as const), id: fc.constantFrom('<own>', 'r1'), ok: fc.constant(false), error: wireError }),
      fc.record({ kind: fc.constant('binary' as const), data: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)) }),
      fc.record({
        kind: fc.constant('close' as const),
        code: fc.constantFrom(1000, 1001, 1008, 1011, 1012, 1013, 4000, 4999),
        reason: fc.string({ maxLength: 20 }),
      }),
      fc.constant({ kind: 'terminate' as const }),
    );
    const answer: fc.Arbitrary<RequestAnswer> = fc.oneof(
      { weight: 3, arbitrary: fc.array(action, { minLength: 1, maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constant('ignore' as const) },
      { weight: 1, arbitrary: fc.record({ ok: fc.constant(true as const), payload: fc.jsonValue() }) },
    );

    it('no crash, no hang, no unsettled request', async () => {
      const REQUEST_TIMEOUT_MS = 300;
      const SLACK_MS = 1_500;
      await fc.assert(
        fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), async (generated, requests) => {
          answers = generated;
          served = 0;
          const supervisor = createGatewaySupervisor({
            mode: 'attach',
            url: fake.url,
            token: 'fake-token',
            logger: silentLogger,
            reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 },
          });
          try {
            await supervisor.start();
            const started = performance.now();
            const outcomes = await Promise.all(
              Array.from({ length: requests }, () =>
                supervisor.request('health', undefined, { timeoutMs: REQUEST_TIMEOUT_MS }).then(
                  () => 'ok',
                  (error: { code?: unknown }) => {
                    // Typed: a supervisor error code or the gateway's own.
                    expect(typeof error.code).toBe('string');
                    return String(error.code);
                  },
                ),
              ),
            );
            expect(outcomes).toHaveLength(requests);
            expect(performance.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
          } finally {
            await supervisor.dispose();
          }
        }),
        { numRuns: 40 },
      );
    }, 60_000);
  });
});
