// The mirror of a real gateway's own channel accounts. The bundled A2A channel runs fully offline
// (openclaw-facts), so one gateway is started with channels enabled and shared by every test here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, type GatewaySupervisor } from '../../src/index.js';
import { createChannelManager, type ChannelManager } from '../../src/runtime/channel-manager.js';
import { startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { quietLogger, until } from '../support/channel-plugins.js';

let gateway: RealGateway;
let supervisor: GatewaySupervisor;
let channels: ChannelManager;

const mirrored = (accountId: string) => channels.getRuntimeSnapshot().channelAccounts.a2a?.[accountId];

beforeAll(async () => {
  gateway = await startRealGateway({
    skipChannels: false,
    config: { channels: { a2a: { enabled: true, peers: { tester: { token: 'mirror-test-peer-token' } } } } },
  });
  supervisor = createGatewaySupervisor({ mode: 'attach', url: gateway.url, token: gateway.token, logger: quietLogger });
  await supervisor.start();
  channels = createChannelManager({ gateway: supervisor, mirrorPollMs: 500, logger: quietLogger });
});

afterAll(async () => {
  await channels?.close();
  await supervisor?.dispose();
  await gateway?.stop();
});

describe('channel mirror against the real gateway', () => {
  it('shows a2a/default running, as an account actor in the manager system', async () => {
    await until(() => mirrored('default')?.state === 'running', 20_000, 'a2a/default running');
    expect(mirrored('default')).toMatchObject({ accountId: 'default', running: true, lifecycle: 'ready', restartPending: false, stale: false });
    expect(channels.getRuntimeSnapshot().channels.a2a).toMatchObject({ accountId: 'default' });
    expect(channels.mirroredAccounts().get('a2a')?.get('default')?.system.get('account:a2a/default')).toBeDefined();
  });

  it('stop then start through the manager: stopped, then handed-off and running again', async () => {
    const [stopped] = await channels.stopChannel('a2a', 'default');
    expect(stopped).toMatchObject({ channelId: 'a2a', accountId: 'default', outcome: 'stopped' });
    expect(mirrored('default')).toMatchObject({ state: 'stopped', running: false });
    const [started] = await channels.startChannel('a2a', 'default');
    expect(started).toMatchObject({ outcome: 'handed-off' });
    await until(() => mirrored('default')?.state === 'running', 10_000, 'running again');
    // A second start finds the task owned: the gateway says retry, with its reason.
    const [again] = await channels.startChannel('a2a', 'default');
    expect(again).toMatchObject({ outcome: 'retry', reason: 'task-owned' });
  });

  it('a crash loop (accountId "nosuch") shows restartPending with rising attempts, and a hand stop ends it', async () => {
    await channels.startChannel('a2a', 'nosuch');
    await until(() => mirrored('nosuch')?.restartPending === true, 20_000, 'nosuch restartPending');
    const first = mirrored('nosuch')!.reconnectAttempts;
    expect(mirrored('nosuch')).toMatchObject({ lifecycle: 'recovering', state: 'restartPending', running: false });
    expect(mirrored('nosuch')!.lastError).toMatch(/route conflict/);
    await until(() => (mirrored('nosuch')?.reconnectAttempts ?? 0) > first, 30_000, 'attempts rising');
    const [stopped] = await channels.stopChannel('a2a', 'nosuch');
    expect(stopped).toMatchObject({ outcome: 'stopped' });
    // The gateway forgets the account once stopped; nothing restarts it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(mirrored('nosuch')?.restartPending ?? false).toBe(false);
    expect(mirrored('default')?.state).toBe('running');
  }, 90_000);

  it('a lost control connection marks the mirror stale instead of showing accounts stopped', async () => {
    await supervisor.stop();
    await until(() => channels.getRuntimeSnapshot().mirror?.fresh === false, 5_000, 'stale mirror');
    expect(mirrored('default')).toMatchObject({ stale: true, state: 'running', running: true });
  });
});
