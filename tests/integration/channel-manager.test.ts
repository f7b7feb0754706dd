// The in-process channel manager against scripted plugins: crashes, hangs, tasks that ignore their abort,
// throw synchronously, resolve at once or settle twice; hand stops and starts; give-up and recovery; the
// health monitor and the hourly budget it shares with crash restarts. Real timers, with every number set
// small through the manager's options (the defaults are OpenClaw's and are covered by the model test).
import { afterEach, describe, expect, it } from 'vitest';
import { createChannelManager, type ChannelManager } from '../../src/runtime/channel-manager.js';
import { ConfigError, SupervisorError } from '../../src/errors.js';
import { configWith, quietLogger, scriptedPlugin, sleep, until, type TestConfig } from '../support/channel-plugins.js';

const fast = {
  restartPolicy: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 },
  stopWaitMs: 150,
  stableRunMs: 60_000,
  logger: quietLogger,
};

const open: ChannelManager[] = [];
function manager(options: Parameters<typeof createChannelManager>[0]): ChannelManager {
  const m = createChannelManager(options);
  open.push(m);
  return m;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const account = (m: ChannelManager, channelId = 'chat', accountId = 'a1') => m.getRuntimeSnapshot().channelAccounts[channelId]![accountId]!;

describe('channel manager: tasks', () => {
  it('a crashing task is restarted on the curve, with its attempts and error in the snapshot', async () => {
    const p = scriptedPlugin();
    p.script('a1', { crashAfterMs: 10, message: 'socket hang up' }, 'honour-abort');
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannels();
    await until(() => account(m).restartPending, 2_000, 'restartPending');
    expect(account(m)).toMatchObject({
      running: false,
      restartPending: true,
      reconnectAttempts: 1,
      lastError: 'socket hang up',
      lifecycle: 'recovering',
    });
    await until(() => account(m).state === 'running' && p.tasks.length === 2, 2_000, 'second task');
    expect(account(m)).toMatchObject({ running: true, restartPending: false, lifecycle: 'ready', lastError: null });
    expect(p.maxConcurrent('a1')).toBe(1);
  });

  it('a task that throws synchronously, resolves at once or settles twice is one crash, never two tasks', async () => {
    const p = scriptedPlugin();
    p.script('sync', 'throw-sync', 'honour-abort');
    p.script('once', 'resolve-at-once', 'honour-abort');
    p.script('twice', 'settle-twice', 'honour-abort');
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['sync', 'once', 'twice']) });
    await m.startChannels();
    await until(() => p.tasks.length === 6, 2_000, 'every account restarted once');
    await sleep(100);
    for (const id of ['sync', 'once', 'twice']) {
      expect(account(m, 'chat', id)).toMatchObject({ state: 'running', reconnectAttempts: 1 });
      expect(p.maxConcurrent(id)).toBe(1);
    }
    expect(p.tasks.filter((t) => t.accountId === 'twice')).toHaveLength(2);
    expect(account(m, 'chat', 'sync').lastError).toBe(null);
  });

  it('a task that ignores its abort: the stop ends after the wait, names the stuck task, and no second task starts until it ends', async () => {
    const p = scriptedPlugin();
    p.script('a1', 'ignore-abort', 'honour-abort');
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannel('chat', 'a1');
    const started = Date.now();
    await m.stopChannel('chat', 'a1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(account(m)).toMatchObject({ state: 'stopped', running: true, manuallyStopped: true });
    expect(account(m).lastError).toMatch(/task 1 of chat\/a1 did not end within 150 ms/);
    // A hand start now waits for the stuck task.
    const restart = m.startChannel('chat', 'a1');
    await sleep(100);
    expect(p.tasks).toHaveLength(1);
    expect(account(m)).toMatchObject({ state: 'restartPending', restartPending: true });
    p.tasks[0]!.release();
    await restart;
    await until(() => account(m).state === 'running', 2_000, 'the new task');
    expect(p.tasks).toHaveLength(2);
    expect(p.maxConcurrent('a1')).toBe(1);
  });

  it('the task context holds OpenClaw’s members as own properties, which a plugin may spread or destructure', async () => {
    const p = scriptedPlugin();
    let keys: string[] = [];
    let statusOf = '';
    p.onStart = (task) => {
      keys = Object.keys({ ...task.ctx });
      const { setStatus, getStatus } = task.ctx;
      statusOf = getStatus().accountId;
      setStatus({ connected: true, mode: 'polling' });
    };
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannels();
    expect(keys.sort()).toEqual(['abortSignal', 'account', 'accountId', 'cfg', 'channelId', 'getStatus', 'log', 'setStatus']);
    expect(statusOf).toBe('a1');
    await until(() => account(m).connected === true, 2_000, 'the destructured setStatus reported');
    expect(account(m).mode).toBe('polling');
  });

  it('overlapping startChannel calls give one task', async () => {
    const p = scriptedPlugin();
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await Promise.all([m.startChannel('chat'), m.startChannel('chat', 'a1'), m.startChannels(), m.startChannel('chat', 'a1')]);
    expect(p.tasks).toHaveLength(1);
    expect(account(m).state).toBe('running');
  });

  it('at most four accounts start at once', async () => {
    const p = scriptedPlugin('chat', {});
    const ids = Array.from({ length: 12 }, (_, i) => `a${i}`);
    let resolving = 0;
    let peak = 0;
    p.plugin.config.isConfigured = async () => {
      resolving++;
      peak = Math.max(peak, resolving);
      await sleep(10);
      resolving--;
      return true;
    };
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ids) });
    await m.startChannels();
    expect(p.tasks).toHaveLength(12);
    expect(peak).toBe(4);
  });
});

describe('channel manager: hand stop, give-up and recovery', () => {
  it('a hand stop during the backoff holds: no restart after the delay', async () => {
    const p = scriptedPlugin();
    p.script('a1', { crashAfterMs: 5 });
    const m = manager({
      ...fast,
      restartPolicy: { initialMs: 200, maxMs: 200, factor: 2, jitter: 0 },
      plugins: [p.plugin],
      loadConfig: () => configWith('chat', ['a1']),
    });
    await m.startChannels();
    await until(() => account(m).restartPending, 1_000, 'backoff');
    await m.stopChannel('chat', 'a1');
    expect(m.isManuallyStopped('chat', 'a1')).toBe(true);
    await sleep(350);
    expect(p.tasks).toHaveLength(1);
    expect(account(m)).toMatchObject({ state: 'stopped', restartPending: false, running: false });
  });

  it('ten crashes lead to gaveUp, and a hand start recovers with a fresh series', async () => {
    const p = scriptedPlugin();
    p.script('a1', { crashAfterMs: 1 });
    const m = manager({
      ...fast,
      restartPolicy: { initialMs: 2, maxMs: 5, factor: 2, jitter: 0 },
      health: { maxRestartsPerHour: 100 },
      plugins: [p.plugin],
      loadConfig: () => configWith('chat', ['a1']),
    });
    await m.startChannels();
    await until(() => account(m).state === 'gaveUp', 3_000, 'gaveUp');
    expect(p.tasks).toHaveLength(11);
    expect(account(m)).toMatchObject({ state: 'gaveUp', running: false, restartPending: false, reconnectAttempts: 11 });
    p.script('a1', 'honour-abort');
    await m.startChannel('chat', 'a1');
    expect(account(m)).toMatchObject({ state: 'running', reconnectAttempts: 0 });
  });

  it('a stable run resets the attempts', async () => {
    const p = scriptedPlugin();
    p.script('a1', { crashAfterMs: 5 }, { crashAfterMs: 5 }, 'honour-abort');
    const m = manager({ ...fast, stableRunMs: 150, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannels();
    await until(() => p.tasks.length === 3 && account(m).state === 'running', 2_000, 'third task');
    expect(account(m).reconnectAttempts).toBe(2);
    await until(() => account(m).reconnectAttempts === 0, 1_000, 'attempts reset');
  });

  it('an account removed from config is stopped and forgotten; a new one starts on reconcile', async () => {
    const p = scriptedPlugin();
    let cfg: TestConfig = configWith('chat', ['a1', 'a2']);
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => cfg });
    await m.startChannels();
    cfg = configWith('chat', ['a2', 'a3']);
    await m.reconcile();
    expect(p.tasks.find((t) => t.accountId === 'a1')).toMatchObject({ alive: false, aborted: true });
    expect(Object.keys(m.getRuntimeSnapshot().channelAccounts.chat!).sort()).toEqual(['a2', 'a3']);
    expect(m.accounts().get('chat')!.has('a1')).toBe(false);
    expect(account(m, 'chat', 'a3').state).toBe('running');
    expect(p.live()).toHaveLength(2);
  });

  it('markChannelLoggedOut ends the task and holds until a hand start', async () => {
    const p = scriptedPlugin();
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['default']) });
    await m.startChannels();
    m.markChannelLoggedOut('chat', true);
    await until(() => account(m, 'chat', 'default').state === 'loggedOut', 1_000, 'loggedOut');
    expect(account(m, 'chat', 'default')).toMatchObject({ running: false, lastError: 'logged out', lifecycle: 'stopped' });
    await sleep(60);
    expect(p.tasks).toHaveLength(1);
    await m.startChannel('chat', 'default');
    expect(account(m, 'chat', 'default').state).toBe('running');
  });

  it('close leaves no task and no timer behind', async () => {
    const p = scriptedPlugin();
    p.script('a2', { crashAfterMs: 1 });
    const m = createChannelManager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1', 'a2']) });
    await m.startChannels();
    await until(() => account(m, 'chat', 'a2').restartPending, 1_000, 'a2 in backoff');
    await m.close();
    expect(p.live()).toHaveLength(0);
    const count = p.tasks.length;
    await sleep(100);
    expect(p.tasks).toHaveLength(count);
    await expect(m.startChannels()).rejects.toMatchObject({ code: 'CHANNELS_CLOSED' });
  });
});

describe('channel manager: health monitor', () => {
  const health = { graceMs: 30, checkIntervalMs: 30, staleEventMs: 100, stuckMs: 100, connectGraceMs: 100, cooldownChecks: 2 };

  it('a stale socket gives one restart; activity before the restart is not held against the new task', async () => {
    const p = scriptedPlugin();
    p.onStart = (task) => {
      if (p.tasks.length === 1) task.ctx.setStatus({ connected: true });
    };
    const m = manager({ ...fast, health, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannels();
    await until(() => p.tasks.length === 2 && account(m).state === 'running', 2_000, 'monitor restart');
    expect(p.tasks[0]).toMatchObject({ aborted: true, alive: false });
    await sleep(400);
    expect(p.tasks).toHaveLength(2);
    expect(account(m)).toMatchObject({ restartsThisHour: 1, reconnectAttempts: 0 });
  });

  it('the hourly budget holds across monitor and crash restarts', async () => {
    const p = scriptedPlugin();
    p.script('a1', 'honour-abort', { crashAfterMs: 5 });
    p.onStart = (task) => {
      if (p.tasks.length === 1) task.ctx.setStatus({ connected: true });
    };
    const m = manager({ ...fast, health: { ...health, maxRestartsPerHour: 3 }, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await m.startChannels();
    // One monitor restart, then two crash restarts fill the budget; the next crash waits for the hour.
    await until(() => p.tasks.length === 4 && account(m).restartPending, 3_000, 'budget spent');
    await sleep(300);
    expect(p.tasks).toHaveLength(4);
    expect(account(m)).toMatchObject({ restartsThisHour: 3, restartPending: true, reconnectAttempts: 3 });
  });

  it('the monitor stands aside for a disabled flag (account over channel) and for a webhook transport', async () => {
    const p = scriptedPlugin('hook', { health: { staleSocketChecks: false } });
    p.onStart = (task) => task.ctx.setStatus({ connected: true });
    const cfg = configWith('hook', ['a1', 'a2']);
    cfg.channels.hook!.healthMonitor = { enabled: false };
    cfg.channels.hook!.accounts.a2 = { healthMonitor: { enabled: true } };
    const m = manager({ ...fast, health, plugins: [p.plugin], loadConfig: () => cfg });
    expect(m.isHealthMonitorEnabled('hook', 'a1')).toBe(false);
    expect(m.isHealthMonitorEnabled('hook', 'a2')).toBe(true);
    await m.startChannels();
    await sleep(400);
    expect(p.tasks).toHaveLength(2);
  });

  it('a run busy past the stuck limit and a disconnect past the connect grace are restarted', async () => {
    const p = scriptedPlugin();
    p.onStart = (task) => {
      if (p.tasks.filter((t) => t.accountId === task.accountId).length > 1) return;
      if (task.accountId === 'busy') task.ctx.setStatus({ busy: true });
      else task.ctx.setStatus({ connected: false });
    };
    const m = manager({ ...fast, health, plugins: [p.plugin], loadConfig: () => configWith('chat', ['busy', 'down']) });
    await m.startChannels();
    await until(() => p.tasks.length === 4, 2_000, 'both restarted');
    expect(account(m, 'chat', 'busy').restartsThisHour).toBe(1);
    expect(account(m, 'chat', 'down').restartsThisHour).toBe(1);
  });
});

describe('channel manager: bad input', () => {
  it('a plugin without id, or two with one id, is a ConfigError naming the field', () => {
    const p = scriptedPlugin();
    const noId = { ...p.plugin, id: '' };
    expect(() => createChannelManager({ plugins: [noId], loadConfig: () => ({}) })).toThrow(ConfigError);
    try {
      createChannelManager({ plugins: [p.plugin, scriptedPlugin().plugin], loadConfig: () => ({}) });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('plugins.1.id');
    }
    expect(() => createChannelManager({ plugins: [p.plugin] })).toThrow(/loadConfig/);
  });

  it('unknown channel or account ids are typed errors', async () => {
    const p = scriptedPlugin();
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await expect(m.startChannel('nope')).rejects.toMatchObject({ code: 'CHANNEL_UNKNOWN', details: { channelId: 'nope' } });
    await expect(m.stopChannel('chat', 'ghost')).rejects.toMatchObject({ code: 'ACCOUNT_UNKNOWN', details: { accountId: 'ghost' } });
    expect(() => m.isManuallyStopped('nope', 'a1')).toThrow(SupervisorError);
    expect(p.tasks).toHaveLength(0);
  });

  it('a resolveAccount that throws rejects startChannel with a typed error and leaves no task', async () => {
    const p = scriptedPlugin();
    p.plugin.config.resolveAccount = () => {
      throw new Error('bad account block');
    };
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1']) });
    await expect(m.startChannel('chat', 'a1')).rejects.toMatchObject({
      code: 'ACCOUNT_RESOLVE_FAILED',
      details: { channelId: 'chat', accountIds: ['a1'] },
    });
    expect(p.tasks).toHaveLength(0);
    expect(m.accounts().get('chat')!.get('a1')!.getSnapshot().matches({ lifecycle: 'unconfigured' })).toBe(true);
  });
});

describe('channel manager: the seed story', () => {
  it('reports what OpenClaw’s manager reports: disabled, unconfigured, running and crashed accounts', async () => {
    const p = scriptedPlugin();
    p.plugin.config.isConfigured = (account) => account.id !== 'bare';
    p.script('flaky', { crashAfterMs: 5, message: 'boom' });
    const cfg = configWith('chat', ['default', 'off', 'bare', 'flaky']);
    cfg.channels.chat!.accounts.off = { enabled: false };
    const m = manager({
      ...fast,
      restartPolicy: { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0 },
      plugins: [p.plugin],
      loadConfig: () => cfg,
    });
    await m.startChannels();
    await until(() => account(m, 'chat', 'flaky').restartPending, 1_000, 'flaky in backoff');
    const snapshot = m.getRuntimeSnapshot();
    const seedFields = ['accountId', 'enabled', 'configured', 'running', 'restartPending', 'lastError', 'reconnectAttempts'] as const;
    const pick = (s: Record<string, unknown>) => Object.fromEntries(seedFields.map((f) => [f, s[f]]));
    // What server-channels.ts sets for the same story (field by field from its setRuntime calls).
    expect(pick(snapshot.channelAccounts.chat!.default!)).toEqual({
      accountId: 'default',
      enabled: true,
      configured: true,
      running: true,
      restartPending: false,
      lastError: null,
      reconnectAttempts: 0,
    });
    expect(pick(snapshot.channelAccounts.chat!.off!)).toMatchObject({
      accountId: 'off',
      enabled: false,
      configured: true,
      running: false,
      restartPending: false,
      lastError: 'disabled',
    });
    expect(pick(snapshot.channelAccounts.chat!.bare!)).toMatchObject({
      accountId: 'bare',
      enabled: true,
      configured: false,
      running: false,
      restartPending: false,
      lastError: 'not configured',
    });
    expect(pick(snapshot.channelAccounts.chat!.flaky!)).toEqual({
      accountId: 'flaky',
      enabled: true,
      configured: true,
      running: false,
      restartPending: true,
      lastError: 'boom',
      reconnectAttempts: 1,
    });
    expect(snapshot.channels.chat).toEqual(snapshot.channelAccounts.chat!.default);
    expect(typeof snapshot.channelAccounts.chat!.flaky!.lastStopAt).toBe('number');
  });

  it('every account is an actor with an instance-scoped system id, and every change reaches on("account")', async () => {
    const p = scriptedPlugin();
    const m = manager({ ...fast, plugins: [p.plugin], loadConfig: () => configWith('chat', ['a1', 'a2']) });
    const seen: string[] = [];
    m.on('account', (change) => seen.push(`${change.channelId}/${change.accountId}:${change.status.state}`));
    await m.startChannels();
    const a1 = m.accounts().get('chat')!.get('a1')!;
    expect(a1.system.get('account:chat/a1')).toBe(a1);
    expect(m.accounts().get('chat')!.get('a2')!.system.get('account:chat/a2')).toBeDefined();
    expect(seen).toContain('chat/a1:running');
    expect(seen).toContain('chat/a2:running');
  });

  it('one inspection observer sees every account actor and its events', async () => {
    const p = scriptedPlugin();
    const systemIds = new Set<string>();
    const events: string[] = [];
    const m = manager({
      ...fast,
      plugins: [p.plugin],
      loadConfig: () => configWith('chat', ['a1', 'a2']),
      inspect: (event) => {
        const systemId = (event.actorRef as { options?: { systemId?: string } }).options?.systemId;
        if (event.type === '@xstate.actor' && systemId) systemIds.add(systemId);
        if (event.type === '@xstate.event' && systemId?.startsWith('account:')) events.push(`${systemId} ${event.event.type}`);
      },
    });
    await m.startChannels();
    expect([...systemIds].sort()).toEqual(['account:chat/a1', 'account:chat/a2', 'channels:default']);
    expect(events).toContain('account:chat/a1 account.start');
    expect(events).toContain('account:chat/a2 task.started');
  });
});
