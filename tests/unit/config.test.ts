import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gatewaySupervisorSchema, parseOptions, parseSupervisorOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createGatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { defaults } from '../../src/machines/defaults.js';
import { defaultCrashPolicy, DEFAULT_BACKOFF_POLICY } from '../../src/machines/policy/index.js';
import { defaultRefreshSettings } from '../../src/machines/refresh/index.js';
import { resolveGatewaySettings } from '../../src/machines/gateway/index.js';

function fail(input: unknown): ConfigError {
  try {
    parseOptions(gatewaySupervisorSchema, input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('supervisor options', () => {
  it('fills defaults for a managed gateway with a state dir', () => {
    const config = parseOptions(gatewaySupervisorSchema, { stateDir: '/tmp/x' });
    expect(config.mode).toBe('managed');
    expect(config.maxInFlight).toBe(32);
    expect(config.reconnect).toEqual({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 30000, jitter: 0.2 });
  });

  it('names a field with the wrong type and what was expected', () => {
    const error = fail({ stateDir: '/tmp/x', port: 'eighty' });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.field).toBe('port');
    expect(error.message).toContain('port: number');
  });

  it('names a nested field out of range', () => {
    const error = fail({ stateDir: '/tmp/x', reconnect: { jitter: 2 } });
    expect(error.field).toBe('reconnect.jitter');
    expect(error.message).toContain('<= 1');
  });

  it('rejects an unknown option instead of ignoring it', () => {
    const error = fail({ stateDir: '/tmp/x', prot: 1 });
    expect(error.message).toContain('prot: no such option');
  });

  it('requires a url and a credential in attach mode', () => {
    const error = fail({ mode: 'attach' });
    expect(error.issues.map((i) => i.field).sort()).toEqual(['token', 'url']);
  });

  it('requires a state dir for a gateway it may spawn', () => {
    expect(fail({ mode: 'auto' }).field).toBe('stateDir');
  });

  it('never echoes a rejected value, which may be a secret', () => {
    const error = fail({ mode: 'attach', url: 'http://nope', token: 's3cr3t-token-value', port: -1 });
    expect(error.message).not.toContain('s3cr3t');
    expect(JSON.stringify(error.toJSON())).not.toContain('nope');
    expect(error.field).toBeDefined();
  });

  it('refuses anything but an options object with a ConfigError, not a TypeError', () => {
    for (const bad of [null, undefined, 42, 'managed', [], true]) {
      let thrown: unknown;
      try {
        createGatewaySupervisor(bad as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, String(bad)).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toBe('(options)');
    }
  });

  it('no longer takes a role: a supervisor always connects as an operator', () => {
    expect(fail({ stateDir: '/tmp/x', role: 'node' }).message).toContain('role: no such option');
  });

  it('takes a name for the instance key, and refuses one that could not be a key', () => {
    expect(parseOptions(gatewaySupervisorSchema, { stateDir: '/tmp/x' }).name).toBe('default');
    expect(parseOptions(gatewaySupervisorSchema, { stateDir: '/tmp/x', name: 'eu-west.1' }).name).toBe('eu-west.1');
    expect(fail({ stateDir: '/tmp/x', name: 'a b' }).field).toBe('name');
  });
});

describe('one set of defaults', () => {
  it('an option left out and a machine input left out give the same numbers', () => {
    const config = parseOptions(gatewaySupervisorSchema, { stateDir: '/tmp/x' });
    const machine = resolveGatewaySettings({ mode: 'managed', connection: { url: 'ws://127.0.0.1:1' } });
    expect(config.reconnect).toEqual(DEFAULT_BACKOFF_POLICY);
    expect(defaultCrashPolicy.backoff).toEqual(DEFAULT_BACKOFF_POLICY);
    expect({ maxAttempts: config.crash.maxAttempts, stableUptimeMs: config.crash.stableUptimeMs }).toEqual({
      maxAttempts: machine.crash.maxAttempts,
      stableUptimeMs: machine.crash.stableUptimeMs,
    });
    expect(config.reloadTimeoutMs).toBe(machine.reloadTimeoutMs);
    expect(config.stopGraceMs + defaults.stopMarginMs).toBe(machine.stopTimeoutMs);
    expect({
      restartDebounceMs: config.restartDebounceMs,
      reloadDebounceMs: config.reloadDebounceMs,
      restartCooldownMs: config.restartCooldownMs,
    }).toEqual(defaultRefreshSettings);
    expect([config.host, config.port]).toEqual([machine.endpoint.host, machine.endpoint.port]);
    expect([config.maxInFlight, config.requestTimeoutMs]).toEqual([defaults.requests.maxInFlight, defaults.requests.timeoutMs]);
  });
});

describe('parseSupervisorOptions: the fields a host gave, with the whole schema’s verdict', () => {
  const outcome = (parse: () => unknown) => {
    try {
      return { ok: true, value: parse() };
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, issues: error.issues };
      throw error;
    }
  };
  const valid: Record<string, fc.Arbitrary<unknown>> = {
    name: fc.constantFrom('default', 'gw-1', 'a.b_c'),
    mode: fc.constantFrom('managed', 'attach', 'auto'),
    url: fc.constantFrom('ws://127.0.0.1:1', 'wss://gateway.example/ws'),
    host: fc.constantFrom('127.0.0.1', '::1'),
    port: fc.integer({ min: 1, max: 65_535 }),
    token: fc.constantFrom('t0k', 'another-token'),
    device: fc.constant({ identityPath: '/tmp/identity.json' }),
    scopes: fc.constantFrom([], ['operator.admin'], ['operator.read', 'operator.write']),
    client: fc.constantFrom({}, { id: 'x' }, { version: '1.2.3', mode: 'ui' }),
    stateDir: fc.constant('/tmp/state'),
    nodePath: fc.constant('/usr/bin/node'),
    openclawEntry: fc.constant('/x/openclaw.mjs'),
    resolveFrom: fc.constantFrom([], ['/a', '/b']),
    skipChannels: fc.boolean(),
    dev: fc.boolean(),
    env: fc.constantFrom({}, { A: '1' }),
    requestTimeoutMs: fc.integer({ min: 1, max: 60_000 }),
    maxInFlight: fc.integer({ min: 1, max: 256 }),
    reconnect: fc.constantFrom({}, { initialDelayMs: 5 }, { jitter: 0 }),
    liveness: fc.constantFrom({}, { pingIntervalMs: 100 }, { maxStalls: 2 }),
    crash: fc.constantFrom({}, { maxAttempts: 3 }),
    stopGraceMs: fc.integer({ min: 1, max: 10_000 }),
    reloadTimeoutMs: fc.integer({ min: 1, max: 10_000 }),
    restartDebounceMs: fc.integer({ min: 1, max: 10_000 }),
    logger: fc.constant(silentLogger),
  };
  const anyValue = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer({ min: -2, max: 70_000 }),
    fc.string({ maxLength: 4 }),
    fc.anything({ maxDepth: 2 }),
  );
  const entry = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...Object.keys(valid)).chain((key) => fc.tuple(fc.constant(key), valid[key]!)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...Object.keys(valid)), anyValue) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('urls', 'timeout', '', 'constructor'), anyValue) },
  );
  // Most inputs start from a valid core for their mode, so both verdicts are reached often.
  const core = fc.constantFrom(
    {},
    { mode: 'attach', url: 'ws://127.0.0.1:1', token: 't0k' },
    { stateDir: '/tmp/state' },
    { mode: 'auto', stateDir: '/s' },
  );
  const input = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.tuple(core, fc.array(entry, { maxLength: 6 })).map(([base, entries]) => ({ ...base, ...Object.fromEntries(entries) })),
    },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
  );

  it('agrees with the whole schema on every input: the same output, or the same issues', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (options) => {
        const whole = outcome(() => parseOptions(gatewaySupervisorSchema, options));
        const given = outcome(() => parseSupervisorOptions(options));
        expect(given).toStrictEqual(whole);
        if (whole.ok) accepted += 1;
      }),
      { numRuns: 2_000 },
    );
    // Not vacuous: a good share of the inputs were valid options.
    expect(accepted).toBeGreaterThan(300);
  });

  it('gives each parse its own copies of array and object defaults', () => {
    const a = parseSupervisorOptions({ stateDir: '/tmp/x' });
    const b = parseSupervisorOptions({ stateDir: '/tmp/x' });
    expect(a).toStrictEqual(b);
    expect(a.scopes).not.toBe(b.scopes);
    expect(a.client).not.toBe(b.client);
    expect(a.reconnect).not.toBe(b.reconnect);
    a.scopes.push('changed');
    expect(parseSupervisorOptions({ stateDir: '/tmp/x' }).scopes).not.toContain('changed');
  });
});
