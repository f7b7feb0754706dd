import { describe, expect, it } from 'vitest';
import { gatewaySupervisorSchema, parseOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { createGatewaySupervisor } from '../../src/index.js';
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
