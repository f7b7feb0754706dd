// Every state and transition of the mirrored account chart: each kind of report the gateway's
// `channels.status` can give, and the loss of the control connection from every state.
import { describe, expect, it } from 'vitest';
import { mirroredAccountMachine, type RemoteChannelAccount } from '../../src/machines/channels/mirror.machine.js';
import { selectMirroredAccountStatus } from '../../src/machines/channels/selectors.js';
import { runModelPaths, uncoveredEdges, unvisitedStates } from './support/graph-paths.js';

// Shapes seen from the real gateway (openclaw 2026.9.6, A2A): a running default, a crash-looping account.
const reports: RemoteChannelAccount[] = [
  {
    accountId: 'default',
    enabled: true,
    configured: true,
    running: true,
    connected: true,
    lifecycle: 'ready',
    restartPending: false,
    reconnectAttempts: 0,
  },
  {
    accountId: 'default',
    enabled: true,
    configured: true,
    running: false,
    lifecycle: 'recovering',
    restartPending: true,
    reconnectAttempts: 2,
    lastError: 'route conflict',
  },
  { accountId: 'default', enabled: true, configured: true, running: false, lifecycle: 'stopped', restartPending: false },
  { accountId: 'default', enabled: true, configured: true, running: true, lifecycle: 'starting' },
  { accountId: 'default', enabled: true, configured: true, running: true, lifecycle: 'blocked' },
  { accountId: 'default', enabled: false, configured: true, running: false },
  { accountId: 'default', enabled: true, configured: false, running: false },
];

describe('mirrored account machine model', () => {
  it('takes every state and every transition of the definition', async () => {
    const report = await runModelPaths({
      machine: mirroredAccountMachine,
      input: { channelId: 'a2a', accountId: 'default' },
      stateKey: (s) => JSON.stringify([s.value, s.context.lastOutcome !== null]),
      events: {
        'mirror.observed': () => reports.map((account) => ({ type: 'mirror.observed' as const, account })),
        'mirror.stale': () => [{ type: 'mirror.stale' as const }],
        'mirror.outcome': (s) => (s.matches('unknown') ? [{ type: 'mirror.outcome' as const, outcome: 'retry', reason: 'task-owned' }] : []),
      },
      createFakes: () => ({ fakes: {}, actors: {} }),
      check: ({ actor }) => {
        const s = actor.getSnapshot();
        const status = selectMirroredAccountStatus(s);
        // A lost connection never shows an account as stopped: it says stale and keeps the last report.
        expect(status.stale).toBe(s.matches('stale'));
        if (s.context.remote?.lifecycle === 'recovering') expect(status).toMatchObject({ restartPending: true, reconnectAttempts: 2 });
        expect(JSON.parse(JSON.stringify(status))).toEqual(status);
      },
    });
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
  });
});
