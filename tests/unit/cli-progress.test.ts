import { describe, expect, it } from 'vitest';
import { describeProgress } from '../../src/cli/progress.js';
import type { SupervisorStatus } from '../../src/runtime/status.js';

const base: SupervisorStatus = {
  state: 'starting',
  phase: 'probing',
  name: 'default',
  mode: 'managed',
  owned: true,
  url: 'ws://127.0.0.1:1',
  port: 1,
  epoch: 1,
  crashCount: 0,
  at: 0,
};
const step = (patch: Partial<SupervisorStatus>): SupervisorStatus => ({ ...base, ...patch });

describe('run progress lines', () => {
  it('names the startup phases in order: spawned, listening, challenge, ready', () => {
    const seq: SupervisorStatus[] = [
      step({ phase: 'spawning' }),
      step({ phase: 'waitingReady', pid: 42 }),
      step({ phase: 'handshaking', pid: 42, connection: { state: 'awaitingChallenge', attempt: 0, ready: false } }),
      step({ phase: 'handshaking', pid: 42, connection: { state: 'connecting', attempt: 0, ready: false } }),
      step({
        state: 'running',
        phase: undefined,
        pid: 42,
        connection: { state: 'ready', attempt: 0, ready: true, server: { version: '2026.9.6', bootId: 'b1', connId: 'c1' } },
      }),
    ];
    const kinds: string[] = [];
    let prev: SupervisorStatus | undefined = base;
    for (const s of seq) {
      kinds.push(...describeProgress(prev, s, 0).map((l) => l.kind));
      prev = s;
    }
    expect(kinds.filter((k) => ['spawned', 'listening', 'challenge', 'ready'].includes(k))).toEqual(['spawned', 'listening', 'challenge', 'ready']);
  });

  it('reports an error with its code and reason', () => {
    const lines = describeProgress(
      base,
      step({ state: 'error', phase: undefined, error: { code: 'GATEWAY_CONFIG_INVALID', reason: 'config-invalid', message: 'exit 78 twice' } }),
      5,
    );
    expect(lines[0]?.kind).toBe('error');
    expect(lines[0]?.text).toContain('GATEWAY_CONFIG_INVALID (config-invalid)');
  });

  it('explains a retry by the close that caused it', () => {
    const prev = step({ phase: 'handshaking', connection: { state: 'connecting', attempt: 0, ready: false } });
    const next = step({
      phase: 'handshaking',
      connection: { state: 'backoff', attempt: 0, ready: false, retryInMs: 500, lastClose: { code: 1013, reason: 'gateway starting' } },
    });
    const line = describeProgress(prev, next, 0).find((l) => l.kind === 'retrying');
    expect(line?.text).toBe('connecting again in 500 ms after close 1013 "gateway starting"');
  });

  it('says nothing when nothing a user cares about changed', () => {
    expect(describeProgress(base, step({ at: 99 }), 1)).toEqual([]);
  });
});
