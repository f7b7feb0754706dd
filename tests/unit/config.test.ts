import { describe, expect, it } from 'vitest';
import { gatewaySupervisorSchema, parseOptions } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

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
});
