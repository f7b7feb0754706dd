import { describe, expect, it } from 'vitest';
import { classifyExit, describeExit, GatewayExitCodes, isConfigExit } from '../../src/machines/policy/exit-codes.js';

describe('exit classification', () => {
  it('reads 78 (EX_CONFIG) as an invalid config, whatever stderr said', () => {
    expect(GatewayExitCodes.CONFIG).toBe(78);
    expect(classifyExit({ code: 78, signal: null })).toBe('config-invalid');
    expect(isConfigExit({ code: 78, signal: null })).toBe(true);
  });

  it('reads 0 as clean and any other code as a failure', () => {
    expect(classifyExit({ code: 0, signal: null })).toBe('clean');
    expect(classifyExit({ code: 1, signal: null })).toBe('failure');
    expect(classifyExit({ code: 137, signal: null })).toBe('failure');
    expect(isConfigExit({ code: 1, signal: null })).toBe(false);
  });

  it('reads a death by signal as a signal exit, not as clean', () => {
    expect(classifyExit({ code: null, signal: 'SIGKILL' })).toBe('signal');
    expect(classifyExit({ code: null, signal: 'SIGTERM' })).toBe('signal');
    expect(isConfigExit({ code: null, signal: 'SIGKILL' })).toBe(false);
  });

  it('lets the code win when both are reported, and calls an exit with neither a failure', () => {
    expect(classifyExit({ code: 78, signal: 'SIGTERM' })).toBe('config-invalid');
    expect(classifyExit({ code: null, signal: null })).toBe('failure');
  });

  it('describes an exit by code, then by signal', () => {
    expect(describeExit({ code: 78, signal: null })).toBe('code 78');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('signal SIGKILL');
    expect(describeExit({ code: null, signal: null })).toBe('unknown');
  });
});
