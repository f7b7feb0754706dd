// createChannelManager: one account actor per channel account, in one actor system under the manager's
// host actor (`channels:<name>`), each with the system id `account:<channel>/<accountId>`. In-process
// plugins run their tasks here; with `gateway`, the accounts of that gateway are mirrored as well
// (channel-mirror.ts). All decisions live in the account chart; this file translates between the host's
// promise API and the actors, and reads the host's config at each decision.
import { EventEmitter } from 'node:events';
import { createActor, fromCallback, waitFor, type Actor, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import { channelManagerSchema, parseOptions, type ChannelManagerConfig, type ChannelManagerSchemaInput, type LoggerLike } from '../config.js';
import { ConfigError, ErrorCodes, SupervisorError } from '../errors.js';
import { createDefaultLogger } from '../logger.js';
import {
  accountSystemId,
  channelAccountMachine,
  createAccountImplementations,
  selectAccountStatus,
  type ChannelAccountInput,
  type ChannelAccountSnapshotOf,
  type ChannelAccountStatus,
} from '../machines/channels/index.js';
import { createChannelAccountDeps, errorText } from './channel-adapters.js';
import { createChannelMirror, type ChannelMirror } from './channel-mirror.js';
import { createDelayIndex } from './delay-index.js';
import { defaultAccountIdOf, healthMonitorEnabled, isAccountEnabled, type AnyChannelPlugin, type ChannelPlugin } from './channel-plugin.js';
import { createStartSlots } from './channel-start-slots.js';

/** OpenClaw's `ChannelRuntimeSnapshot`: the default account per channel, and every account by id (read-only objects). */
export interface ChannelRuntimeSnapshot {
  channels: Record<string, ChannelAccountStatus>;
  channelAccounts: Record<string, Record<string, ChannelAccountStatus>>;
  /** Mirrored channels only: false while the control connection is down (the data is the last seen). */
  mirror?: { fresh: boolean; lastPollAt: number | null; lastError: string | null };
}

export interface ChannelAccountChange {
  channelId: string;
  accountId: string;
  source: 'plugin' | 'gateway';
  status: ChannelAccountStatus;
}

/** What `startChannel` / `stopChannel` report for each account. */
export interface ChannelCommandResult {
  channelId: string;
  accountId: string;
  /** In-process: the account's state afterwards. Mirrored: the gateway's answer (`handed-off`, `retry`, `skipped`, `stopped`). */
  outcome: string;
  reason?: string;
}

export interface ChannelManagerEvents {
  account: (change: ChannelAccountChange) => void;
}

/** Options of `createChannelManager`; every number defaults to src/machines/defaults.ts (`channels`). */
export type ChannelManagerOptions<TConfig = any> = Omit<ChannelManagerSchemaInput, 'plugins' | 'loadConfig'> & { // eslint-disable-line @typescript-eslint/no-explicit-any
  /** In-process channel plugins, shaped like OpenClaw's. */
  plugins?: ReadonlyArray<ChannelPlugin<TConfig, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Read at each decision (start, restart, snapshot): the host's current config. Required with plugins. */
  loadConfig?: () => TConfig;
};

export type ChannelManagerInspect = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

type AccountActor = Actor<typeof channelAccountMachine>;

const RESOLVE_FAILED = 'resolveAccount threw: ';

export type ChannelManager = ReturnType<typeof createChannelManager<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function createChannelManager<TConfig>(options: ChannelManagerOptions<TConfig> & { inspect?: ChannelManagerInspect }) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError([{ field: '(options)', expected: 'an options object, e.g. { plugins, loadConfig }' }], 'channel manager options');
  }
  const { inspect, ...rest } = options;
  const config: ChannelManagerConfig = parseOptions(channelManagerSchema, rest, 'channel manager options');
  const plugins = indexPlugins(config.plugins as AnyChannelPlugin[]);
  const loadConfig = (config.loadConfig ?? (() => ({}))) as () => unknown;
  const logger: LoggerLike = (config.logger ?? createDefaultLogger()).child({ component: 'channels' });
  const now = () => Date.now();
  const emitter = new EventEmitter();
  const slots = createStartSlots({ limit: config.startConcurrency, perSecond: config.startsPerSecond });
  let closed = false;

  const safeEmit = (change: ChannelAccountChange) => {
    for (const listener of emitter.listeners('account')) {
      try {
        (listener as ChannelManagerEvents['account'])(change);
      } catch (error) {
        logger.warn({ err: errorText(error) }, 'a host listener threw');
      }
    }
  };

  // The manager's own actor (`channels:<name>`), the root of one actor system that every account actor
  // joins (created with the host as parent), so the system's inspector sees them all. xstate's scheduler
  // would scan every timer of the system at each actor stop (O(n) per stop, O(n^2) for a mass restart):
  // the delay index cancels an actor's own timers instead (delay-index.ts, docs/decisions.md).
  const delays = createDelayIndex();
  const host = createActor(
    fromCallback(({ receive }) => {
      receive((event) => {
        if (event.type.startsWith('xstate.error.actor.')) logger.error({ event: event.type }, 'an account actor failed');
      });
    }),
    { id: 'channels', systemId: `channels:${config.name}`, clock: delays.clock, ...(inspect === undefined ? {} : { inspect }) },
  );
  delays.install(host.system);
  host.start();

  const accounts = new Map<string, Map<string, AccountActor>>();
  const deps = createChannelAccountDeps({ plugins, loadConfig, slots, logger, now, statusOf: (channelId, accountId) => statusOf(channelId, accountId) });
  const accountMachine = channelAccountMachine.provide(createAccountImplementations(deps));
  const settings: ChannelAccountInput['settings'] = {
    restartPolicy: config.restartPolicy,
    maxRestartAttempts: config.maxRestartAttempts,
    stableRunMs: config.stableRunMs,
    stopWaitMs: config.stopWaitMs,
    health: config.health,
  };

  // No status is kept per account (at 10,000 accounts a cached status object each was a tenth of the heap):
  // a snapshot reads every status from its actor's snapshot. To tell the host only of real changes, the last
  // snapshot seen per account is kept (the one the actor holds anyway). One observer of the system's
  // snapshots feeds it, instead of a subscription (three bound functions and a subscription object) per account.
  const seen = new WeakMap<AccountActor, ChannelAccountSnapshotOf>();
  const onSnapshot = (actor: AccountActor, snapshot: ChannelAccountSnapshotOf) => {
    const { channelId, accountId } = snapshot.context;
    if (accounts.get(channelId)?.get(accountId) !== actor) return;
    const previous = seen.get(actor);
    seen.set(actor, snapshot);
    // The monitor's own ticks (grace, checks) change neither the context nor the lifecycle and task regions.
    if (previous !== undefined && previous.context === snapshot.context && sameRegions(previous, snapshot)) return;
    const at = now();
    const status = selectAccountStatus(snapshot, at);
    if (previous !== undefined && sameStatus(selectAccountStatus(previous, at), status)) return;
    safeEmit({ channelId, accountId, source: 'plugin', status: Object.freeze(status) });
  };
  host.system.inspect((event) => {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as Partial<ChannelAccountSnapshotOf>;
    if ((snapshot.machine as unknown) === accountMachine && snapshot.status === 'active') onSnapshot(event.actorRef as AccountActor, snapshot as ChannelAccountSnapshotOf);
  });
  const currentStatus = (actor: AccountActor, at: number): ChannelAccountStatus => selectAccountStatus(actor.getSnapshot(), at);
  const statusOf = (channelId: string, accountId: string): ChannelAccountStatus => {
    const actor = accounts.get(channelId)?.get(accountId);
    return actor ? currentStatus(actor, now()) : idleStatus(accountId);
  };

  const ensureAccount = (plugin: AnyChannelPlugin, accountId: string, cfg: unknown): AccountActor => {
    let byId = accounts.get(plugin.id);
    if (byId === undefined) accounts.set(plugin.id, (byId = new Map()));
    const existing = byId.get(accountId);
    if (existing) return existing;
    // The id is the system id (one string, not two), and the input names only what differs from the
    // defaults: xstate keeps both for the actor's life.
    const systemId = accountSystemId(plugin.id, accountId);
    const input: ChannelAccountInput = { channelId: plugin.id, accountId, settings };
    if (!healthMonitorEnabled(cfg, plugin.id, accountId)) input.healthMonitor = false;
    if (plugin.health?.staleSocketChecks === false) input.staleChecks = false;
    const actor = createActor(accountMachine, { id: systemId, parent: host, systemId, input });
    byId.set(accountId, actor);
    actor.start();
    return actor;
  };

  const forget = (channelId: string, accountId: string) => {
    const actor = accounts.get(channelId)?.get(accountId);
    if (!actor) return;
    stopAccountActor(actor);
    // A task that ignored its abort is cut loose: nothing it sends reaches a forgotten account.
    deps.tasks.release(actor);
    accounts.get(channelId)!.delete(accountId);
  };

  const assertOpen = (method: string) => {
    if (closed) throw new SupervisorError(ErrorCodes.CHANNELS_CLOSED, `${method}: the channel manager was closed`);
  };

  const mirror: ChannelMirror | undefined =
    config.gateway === undefined
      ? undefined
      : createChannelMirror({
          gateway: config.gateway,
          pollMs: config.mirrorPollMs,
          ...(inspect === undefined ? {} : { inspect }),
          logger,
          now,
          onChange: (change: Omit<ChannelAccountChange, 'source'>) => safeEmit({ ...change, source: 'gateway' }),
        });

  const pluginFor = (method: string, channelId: unknown): AnyChannelPlugin | undefined => {
    assertOpen(method);
    if (typeof channelId !== 'string' || channelId.length === 0) {
      throw new SupervisorError(ErrorCodes.CHANNEL_UNKNOWN, `${method}: channelId must be a non-empty string`, { details: { field: 'channelId' } });
    }
    const plugin = plugins.get(channelId);
    // A mirrored channel is checked against the gateway's own list by the mirror.
    if (plugin === undefined && mirror === undefined) {
      throw new SupervisorError(ErrorCodes.CHANNEL_UNKNOWN, `${method}: no channel "${channelId}"`, { details: { channelId } });
    }
    return plugin;
  };

  /** The account ids a call addresses: all listed ones, or the one named (which must be listed). */
  const accountIdsFor = (method: string, plugin: AnyChannelPlugin, cfg: unknown, accountId: string | undefined): string[] => {
    const listed = plugin.config.listAccountIds(cfg);
    if (accountId === undefined) return listed;
    if (!listed.includes(accountId) && !accounts.get(plugin.id)?.has(accountId)) {
      throw new SupervisorError(ErrorCodes.ACCOUNT_UNKNOWN, `${method}: channel "${plugin.id}" has no account "${accountId}"`, {
        details: { channelId: plugin.id, accountId },
      });
    }
    return [accountId];
  };

  const startAccounts = async (plugin: AnyChannelPlugin, ids: readonly string[], cfg: unknown): Promise<ChannelCommandResult[]> => {
    const at = now();
    const started = ids.map((id) => {
      const actor = ensureAccount(plugin, id, cfg);
      actor.send({ type: 'monitor.configure', enabled: healthMonitorEnabled(cfg, plugin.id, id) });
      actor.send({ type: 'account.start', at });
      return [id, actor] as const;
    });
    const results: ChannelCommandResult[] = [];
    const failures: string[] = [];
    for (const [id, actor] of started) {
      const snapshot = await waitFor(actor, (s) => !s.matches({ lifecycle: 'starting' }) || s.status !== 'active');
      const status = selectAccountStatus(snapshot, now());
      if (status.lastError?.startsWith(RESOLVE_FAILED)) failures.push(id);
      results.push({ channelId: plugin.id, accountId: id, outcome: status.state });
    }
    if (failures.length > 0) {
      throw new SupervisorError(ErrorCodes.ACCOUNT_RESOLVE_FAILED, `startChannel: resolveAccount of channel "${plugin.id}" threw for ${failures.map((id) => `"${id}"`).join(', ')}`, {
        details: { channelId: plugin.id, accountIds: failures, results },
      });
    }
    return results;
  };

  const stopAccounts = async (channelId: string, ids: readonly string[]): Promise<ChannelCommandResult[]> => {
    const at = now();
    const targets = ids.flatMap((id) => {
      const actor = accounts.get(channelId)?.get(id);
      return actor ? [[id, actor] as const] : [];
    });
    for (const [, actor] of targets) actor.send({ type: 'account.stop', at });
    // Bounded by the chart's stop wait: past it the account rests stopped with its stuck task named.
    return Promise.all(
      targets.map(async ([id, actor]) => {
        const snapshot = await waitFor(actor, (s) => !s.matches({ lifecycle: 'stopping' }) || s.status !== 'active');
        return { channelId, accountId: id, outcome: selectAccountStatus(snapshot, now()).state };
      }),
    );
  };

  /** Accounts that vanished from config are stopped and forgotten. */
  const dropVanished = async (plugin: AnyChannelPlugin, listed: readonly string[]) => {
    const known = accounts.get(plugin.id);
    if (!known) return;
    const keep = new Set(listed);
    const gone = [...known.keys()].filter((id) => !keep.has(id));
    if (gone.length === 0) return;
    await stopAccounts(plugin.id, gone);
    for (const id of gone) forget(plugin.id, id);
  };

  return {
    /** The manager's own actor (`channels:<name>`); the account actors are reached through `accounts()`. */
    actor: host,

    /** Starts every listed account of every plugin (and forgets accounts gone from config). */
    async startChannels(): Promise<ChannelCommandResult[]> {
      assertOpen('startChannels');
      const results: ChannelCommandResult[] = [];
      for (const plugin of plugins.values()) results.push(...(await this.startChannel(plugin.id)));
      return results;
    },

    /**
     * A hand start: of one account, or of every listed account of the channel. Starts afresh (attempts
     * 0) and lifts a hand stop, give-up, block or logout; an account already running is left alone.
     * Resolves once each account has left `starting`. Mirrored channels call `channels.start`.
     */
    async startChannel(channelId: string, accountId?: string): Promise<ChannelCommandResult[]> {
      const plugin = pluginFor('startChannel', channelId);
      if (plugin === undefined) return mirror!.start(channelId, accountId);
      const cfg = loadConfig();
      const ids = accountIdsFor('startChannel', plugin, cfg, accountId);
      if (accountId === undefined) await dropVanished(plugin, ids);
      return startAccounts(plugin, ids, cfg);
    },

    /** A hand stop: no automatic restart until a hand start. Resolves once each task ended or the stop wait passed. */
    async stopChannel(channelId: string, accountId?: string): Promise<ChannelCommandResult[]> {
      const plugin = pluginFor('stopChannel', channelId);
      if (plugin === undefined) return mirror!.stop(channelId, accountId);
      const ids = accountId === undefined ? [...(accounts.get(plugin.id)?.keys() ?? [])] : accountIdsFor('stopChannel', plugin, loadConfig(), accountId);
      return stopAccounts(plugin.id, ids);
    },

    /** Re-reads the config: starts accounts never started, stops and forgets the ones gone. Hand stops hold. */
    async reconcile(): Promise<void> {
      assertOpen('reconcile');
      const cfg = loadConfig();
      for (const plugin of plugins.values()) {
        const listed = plugin.config.listAccountIds(cfg);
        await dropVanished(plugin, listed);
        const fresh = listed.filter((id) => {
          const actor = accounts.get(plugin.id)?.get(id);
          if (actor === undefined) return true;
          actor.send({ type: 'monitor.configure', enabled: healthMonitorEnabled(cfg, plugin.id, id) });
          const s = actor.getSnapshot();
          return s.matches({ lifecycle: 'idle' }) || s.matches({ lifecycle: 'disabled' }) || s.matches({ lifecycle: 'unconfigured' });
        });
        if (fresh.length > 0) await startAccounts(plugin, fresh, cfg).catch((error: unknown) => logger.warn({ err: errorText(error) }, 'reconcile: a start failed'));
      }
    },

    /** The plugin logged out: its task is ended and the account holds until a hand start. */
    markChannelLoggedOut(channelId: string, cleared: boolean, accountId?: string): void {
      const plugin = pluginFor('markChannelLoggedOut', channelId);
      if (plugin === undefined) return;
      const cfg = loadConfig();
      const id = accountId ?? defaultAccountIdOf(plugin, cfg, plugin.config.listAccountIds(cfg));
      accountIdsFor('markChannelLoggedOut', plugin, cfg, id);
      ensureAccount(plugin, id, cfg).send({ type: 'account.loggedOut', cleared, at: now() });
    },

    isManuallyStopped(channelId: string, accountId: string): boolean {
      pluginFor('isManuallyStopped', channelId);
      return statusOf(channelId, accountId).manuallyStopped;
    },

    resetRestartAttempts(channelId: string, accountId: string): void {
      pluginFor('resetRestartAttempts', channelId);
      accounts.get(channelId)?.get(accountId)?.send({ type: 'account.resetAttempts' });
    },

    isHealthMonitorEnabled(channelId: string, accountId: string): boolean {
      pluginFor('isHealthMonitorEnabled', channelId);
      return healthMonitorEnabled(loadConfig(), channelId, accountId);
    },

    /** OpenClaw's `{ channels, channelAccounts }`, from the config and each account actor; plus the mirror's. */
    getRuntimeSnapshot(): ChannelRuntimeSnapshot {
      const cfg = loadConfig();
      const at = now();
      const snapshot: ChannelRuntimeSnapshot = { channels: {}, channelAccounts: {} };
      for (const plugin of plugins.values()) {
        const ids = plugin.config.listAccountIds(cfg);
        const byId: Record<string, ChannelAccountStatus> = {};
        const actors = accounts.get(plugin.id);
        for (const id of ids) {
          const actor = actors?.get(id);
          byId[id] = withConfig(plugin, cfg, id, actor ? currentStatus(actor, at) : idleStatus(id));
        }
        snapshot.channelAccounts[plugin.id] = byId;
        const defaultId = defaultAccountIdOf(plugin, cfg, ids);
        snapshot.channels[plugin.id] = byId[defaultId] ?? idleStatus(defaultId);
      }
      if (mirror) mirror.fill(snapshot);
      return snapshot;
    },

    /** Subscribe; returns the unsubscribe function. */
    on<K extends keyof ChannelManagerEvents>(event: K, fn: ChannelManagerEvents[K]): () => void {
      emitter.on(event, fn);
      return () => emitter.off(event, fn);
    },

    /** The account actors, by channel and account id (for the inspector and `useSelector`). */
    accounts(): ReadonlyMap<string, ReadonlyMap<string, AccountActor>> {
      return accounts;
    },

    /** The mirrored gateway accounts' actors, by channel and account id. */
    mirroredAccounts(): ReadonlyMap<string, ReadonlyMap<string, AnyActorRef>> {
      return mirror?.accounts() ?? new Map();
    },

    /** Stops every account (bounded by the stop wait), ends the mirror's polling, and releases every actor. */
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...accounts.entries()].map(([channelId, byId]) => stopAccounts(channelId, [...byId.keys()])));
      await mirror?.close();
      for (const [channelId, byId] of accounts) for (const id of [...byId.keys()]) forget(channelId, id);
      host.stop();
      emitter.removeAllListeners();
    },
  };
}

function indexPlugins(list: readonly AnyChannelPlugin[]): Map<string, AnyChannelPlugin> {
  const byId = new Map<string, AnyChannelPlugin>();
  const issues: Array<{ field: string; expected: string }> = [];
  list.forEach((plugin, index) => {
    const first = [...byId.keys()].indexOf(plugin.id);
    if (byId.has(plugin.id)) issues.push({ field: `plugins.${index}.id`, expected: `a unique channel id ("${plugin.id}" is also plugins.${first}.id)` });
    else byId.set(plugin.id, plugin);
  });
  if (issues.length > 0) throw new ConfigError(issues, 'channel manager options');
  return byId;
}

/** An account the manager has not started: OpenClaw's default runtime entry. */
function idleStatus(accountId: string): ChannelAccountStatus {
  return {
    accountId,
    enabled: true,
    configured: true,
    running: false,
    restartPending: false,
    reconnectAttempts: 0,
    lastError: null,
    lastStartAt: null,
    lastStopAt: null,
    lastEventAt: null,
    healthState: 'idle',
    lifecycle: 'stopped',
    state: 'idle',
    restartsThisHour: 0,
    manuallyStopped: false,
    generation: 0,
  };
}

/** Enabled and configured as the config says now, with OpenClaw's default reasons for an account at rest. */
function withConfig(plugin: AnyChannelPlugin, cfg: unknown, accountId: string, status: ChannelAccountStatus): ChannelAccountStatus {
  let account: unknown;
  try {
    account = plugin.config.resolveAccount(cfg, accountId);
  } catch {
    return status;
  }
  const enabled = plugin.config.isEnabled ? plugin.config.isEnabled(account, cfg) : isAccountEnabled(account);
  const described = plugin.config.describeAccount?.(account, cfg);
  const configured = typeof described?.configured === 'boolean' ? described.configured : status.configured;
  // The common case (the config agrees with the chart) returns the status as read: no second copy.
  if (enabled === status.enabled && configured === status.configured) return status;
  const next: ChannelAccountStatus = { ...status, enabled, configured };
  if (!next.running && next.lastError === null) {
    if (!enabled) next.lastError = plugin.config.disabledReason?.(account, cfg) ?? 'disabled';
    else if (!configured) next.lastError = plugin.config.unconfiguredReason?.(account, cfg) ?? 'not configured';
  }
  return next;
}

/** The same fields a host sees; the monitor's own comings and goings (grace, checks) change none of them. */
function sameStatus(a: ChannelAccountStatus, b: ChannelAccountStatus): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x === y && (x !== undefined || key in b)) continue;
    // A plugin's own fields may be objects: compared by value, as the host would see them.
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** The lifecycle and task regions in the same states (the monitor region is not shown to a host). */
function sameRegions(a: ChannelAccountSnapshotOf, b: ChannelAccountSnapshotOf): boolean {
  const x = a.value as { lifecycle: unknown; task: unknown };
  const y = b.value as { lifecycle: unknown; task: unknown };
  return x.task === y.task && sameValue(x.lifecycle, y.lifecycle);
}

function sameValue(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  const [kx] = Object.keys(x);
  const [ky] = Object.keys(y);
  return kx !== undefined && kx === ky && sameValue((x as Record<string, unknown>)[kx], (y as Record<string, unknown>)[ky]);
}

/** An account actor is a child of the manager's host (for the shared system), and xstate lets only a root be stopped by `stop()`. */
function stopAccountActor(actor: AccountActor): void {
  (actor as unknown as { _stop(): unknown })._stop();
}
