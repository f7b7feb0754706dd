// The mirror of a gateway's own channel accounts: one actor per account (`account:<channel>/<id>`, in the
// manager's system), fed from `channels.status`. The gateway emits no channel events, so the mirror polls
// (10 s by default) and refreshes at once on every hello-ok; while the control connection is down every
// mirrored account says `stale`. `channels.start` / `channels.stop` go to the gateway, and its answer
// (`handed-off`, `retry` + reason, `skipped`, `stopped`) is what the call reports.
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import type { LoggerLike, MirroredGateway } from '../config.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { accountSystemId, mirroredAccountMachine, selectMirroredAccountStatus, type ChannelAccountStatus, type RemoteChannelAccount } from '../machines/channels/index.js';
import { errorText } from './channel-adapters.js';

type MirrorActor = Actor<typeof mirroredAccountMachine>;

export interface ChannelMirrorOptions {
  gateway: MirroredGateway;
  pollMs: number;
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  logger: LoggerLike;
  now(): number;
  onChange(change: { channelId: string; accountId: string; status: ChannelAccountStatus }): void;
}

export interface MirrorCommandResult {
  channelId: string;
  accountId: string;
  outcome: string;
  reason?: string;
}

export interface ChannelMirror {
  has(channelId: string): boolean;
  /** Polls now; resolves once the accounts reflect the answer (or are marked stale). */
  refresh(): Promise<void>;
  start(channelId: string, accountId?: string): Promise<MirrorCommandResult[]>;
  stop(channelId: string, accountId?: string): Promise<MirrorCommandResult[]>;
  fill(snapshot: {
    channels: Record<string, ChannelAccountStatus>;
    channelAccounts: Record<string, Record<string, ChannelAccountStatus>>;
    mirror?: { fresh: boolean; lastPollAt: number | null; lastError: string | null };
  }): void;
  accounts(): ReadonlyMap<string, ReadonlyMap<string, MirrorActor>>;
  close(): Promise<void>;
}

/** The parts of `channels.status` the mirror reads; the gateway lists each channel's accounts as an array. */
interface ChannelsStatusPayload {
  channelAccounts?: Record<string, RemoteChannelAccount[] | Record<string, RemoteChannelAccount>>;
  channelDefaultAccountId?: Record<string, string>;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function createChannelMirror(options: ChannelMirrorOptions): ChannelMirror {
  const { gateway, logger, now } = options;
  const accounts = new Map<string, Map<string, MirrorActor>>();
  const defaults = new Map<string, string>();
  let fresh = false;
  let lastPollAt: number | null = null;
  let lastError: string | null = null;
  let closed = false;
  let inFlight: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const ensure = (channelId: string, accountId: string): MirrorActor => {
    let byId = accounts.get(channelId);
    if (!byId) accounts.set(channelId, (byId = new Map()));
    const existing = byId.get(accountId);
    if (existing) return existing;
    const actor = createActor(mirroredAccountMachine, {
      id: `${channelId}/${accountId}`,
      ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
      systemId: accountSystemId(channelId, accountId),
      input: { channelId, accountId },
    });
    let lastKey = '';
    actor.subscribe((snapshot) => {
      const status = selectMirroredAccountStatus(snapshot);
      const key = `${status.state}|${status.stale}|${status.running}|${status.reconnectAttempts}|${status.lastError}|${JSON.stringify(status.lastOutcome)}`;
      if (key === lastKey) return;
      lastKey = key;
      options.onChange({ channelId, accountId, status });
    });
    byId.set(accountId, actor);
    actor.start();
    return actor;
  };

  const markStale = (reason: string) => {
    if (fresh) logger.info({ reason }, 'channel mirror is stale');
    fresh = false;
    lastError = reason;
    for (const byId of accounts.values()) for (const actor of byId.values()) actor.send({ type: 'mirror.stale' });
  };

  const connected = () => {
    const status = gateway.getStatus();
    return status.state === 'running' && (status.connection === undefined || status.connection.ready !== false);
  };
  const bootOf = () => gateway.getStatus().connection?.server?.bootId;

  const apply = (payload: ChannelsStatusPayload) => {
    const seen = new Map<string, Set<string>>();
    for (const [channelId, listed] of Object.entries(payload.channelAccounts ?? {})) {
      const list = Array.isArray(listed) ? listed : Object.values(listed);
      const ids = new Set<string>();
      for (const account of list) {
        if (typeof account?.accountId !== 'string') continue;
        ids.add(account.accountId);
        ensure(channelId, account.accountId).send({ type: 'mirror.observed', account });
      }
      seen.set(channelId, ids);
      const defaultId = payload.channelDefaultAccountId?.[channelId];
      if (typeof defaultId === 'string') defaults.set(channelId, defaultId);
    }
    // Accounts the gateway no longer lists are forgotten.
    for (const [channelId, byId] of accounts) {
      const ids = seen.get(channelId);
      for (const [accountId, actor] of byId) {
        if (ids?.has(accountId)) continue;
        actor.stop();
        byId.delete(accountId);
      }
      if (byId.size === 0 && !seen.has(channelId)) accounts.delete(channelId);
    }
    fresh = true;
    lastError = null;
    lastPollAt = now();
  };

  const poll = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (inFlight) return inFlight;
    if (!connected()) {
      markStale('the control connection is down');
      return Promise.resolve();
    }
    inFlight = gateway
      .request<ChannelsStatusPayload>('channels.status', {}, { timeoutMs: REQUEST_TIMEOUT_MS })
      .then(
        (payload) => {
          if (!closed) apply(payload ?? {});
        },
        (error: unknown) => {
          if (!closed) markStale(`channels.status failed: ${errorText(error)}`);
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      void poll().finally(schedule);
    }, options.pollMs);
    timer.unref?.();
  };

  // Every hello-ok (a new connection, a restarted gateway: a new bootId) refreshes at once; a loss marks all stale.
  let wasConnected = connected();
  let lastBoot = bootOf();
  const unsubscribe = gateway.on('status', () => {
    const isConnected = connected();
    const boot = bootOf();
    if (isConnected && (!wasConnected || boot !== lastBoot)) void poll();
    if (!isConnected && wasConnected) markStale('the control connection is down');
    wasConnected = isConnected;
    lastBoot = boot;
  });
  void poll();
  schedule();

  const known = async (method: string, channelId: string) => {
    if (!accounts.has(channelId)) await poll();
    if (!accounts.has(channelId)) {
      throw new SupervisorError(ErrorCodes.CHANNEL_UNKNOWN, `${method}: the gateway has no channel "${channelId}"`, { details: { channelId } });
    }
  };

  const command = async (method: 'channels.start' | 'channels.stop', channelId: string, accountId: string | undefined): Promise<MirrorCommandResult[]> => {
    if (closed) throw new SupervisorError(ErrorCodes.CHANNELS_CLOSED, `${method}: the channel manager was closed`);
    await known(method === 'channels.start' ? 'startChannel' : 'stopChannel', channelId);
    const answer = await gateway.request<{ started?: boolean; stopped?: boolean; outcome?: { status?: string; reason?: string } }>(
      method,
      { channel: channelId, ...(accountId === undefined ? {} : { accountId }) },
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    const outcome = answer?.outcome?.status ?? (answer?.stopped ? 'stopped' : answer?.started ? 'started' : 'unknown');
    const reason = answer?.outcome?.reason;
    // Without an account id the gateway acts on the channel's default account and names it in its answer.
    const named = accountId ?? (answer as { accountId?: unknown } | undefined)?.accountId;
    const ids = typeof named === 'string' ? [named] : [...(accounts.get(channelId)?.keys() ?? [])];
    for (const id of ids) ensure(channelId, id).send({ type: 'mirror.outcome', outcome, ...(reason === undefined ? {} : { reason }) });
    // A poll already on the wire was asked before the command: wait it out, then ask again.
    await inFlight;
    await poll();
    return ids.map((id) => ({ channelId, accountId: id, outcome, ...(reason === undefined ? {} : { reason }) }));
  };

  return {
    has: (channelId) => accounts.has(channelId),
    refresh: poll,
    start: (channelId, accountId) => command('channels.start', channelId, accountId),
    stop: (channelId, accountId) => command('channels.stop', channelId, accountId),
    fill(snapshot) {
      for (const [channelId, byId] of accounts) {
        const entries: Record<string, ChannelAccountStatus> = {};
        for (const [accountId, actor] of byId) entries[accountId] = selectMirroredAccountStatus(actor.getSnapshot());
        snapshot.channelAccounts[channelId] = entries;
        const defaultId = defaults.get(channelId) ?? (entries.default ? 'default' : Object.keys(entries)[0]);
        if (defaultId !== undefined && entries[defaultId]) snapshot.channels[channelId] = entries[defaultId];
      }
      snapshot.mirror = { fresh, lastPollAt, lastError };
    },
    accounts: () => accounts,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      await inFlight?.catch(() => {});
      for (const byId of accounts.values()) for (const actor of byId.values()) actor.stop();
      accounts.clear();
    },
  };
}
