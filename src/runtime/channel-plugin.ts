// The shape of an in-process channel plugin, as OpenClaw's channel manager calls it: config hooks that
// read the host's config at each decision, and a gateway hook whose task runs until its abort signal.
import type { LoggerLike } from '../config.js';
import type { ChannelAccountStatus, ChannelStatusPatch } from '../machines/channels/index.js';

/** What `startAccount` and `stopAccount` receive. */
export interface ChannelAccountContext<TConfig = unknown, TAccount = unknown> {
  cfg: TConfig;
  channelId: string;
  accountId: string;
  account: TAccount;
  /** Aborted when the account is stopped or restarted: the task must end soon after (5 s by default). */
  abortSignal: AbortSignal;
  log: LoggerLike;
  /** The account as the manager sees it now. */
  getStatus(): ChannelAccountStatus;
  /** Report `connected`, `busy`, `lastEventAt`, `blocked` (a reason, or false to clear) and anything else to show. */
  setStatus(patch: ChannelStatusPatch): void;
}

export interface ChannelPlugin<TConfig = unknown, TAccount = unknown> {
  /** The channel id: `account:<id>/<accountId>` is each account actor's system id. */
  id: string;
  config: {
    listAccountIds(cfg: TConfig): string[];
    resolveAccount(cfg: TConfig, accountId: string): TAccount;
    /** Default: the account's `enabled` field is not `false`. */
    isEnabled?(account: TAccount, cfg: TConfig): boolean;
    /** Default: configured. May be async. */
    isConfigured?(account: TAccount, cfg: TConfig): boolean | Promise<boolean>;
    disabledReason?(account: TAccount, cfg: TConfig): string;
    unconfiguredReason?(account: TAccount, cfg: TConfig): string;
    describeAccount?(account: TAccount, cfg: TConfig): { configured?: boolean } & Record<string, unknown>;
    /** The account shown as the channel's own entry in `channels` (default: `default`, else the first). */
    defaultAccountId?(cfg: TConfig): string;
  };
  gateway: {
    /** Returns the long-running task; must honour `ctx.abortSignal`. A task that ends by itself is a crash. */
    startAccount(ctx: ChannelAccountContext<TConfig, TAccount>): unknown;
    /** Called when the account is stopped, after the abort; errors are logged and do not block the stop. */
    stopAccount?(ctx: ChannelAccountContext<TConfig, TAccount>): unknown;
  };
  /** Webhook-style transports (no socket to go stale) opt out of stale-socket checks. */
  health?: { staleSocketChecks?: boolean };
}

export type AnyChannelPlugin = ChannelPlugin<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** OpenClaw's default: an account is enabled unless its `enabled` field is `false`. */
export function isAccountEnabled(account: unknown): boolean {
  if (!account || typeof account !== 'object') return true;
  return (account as { enabled?: unknown }).enabled !== false;
}

type RawHealthEntry = { healthMonitor?: { enabled?: unknown } } | undefined;

/** The monitor's enabled flag: the account's setting over the channel's, default on. */
export function healthMonitorEnabled(cfg: unknown, channelId: string, accountId: string): boolean {
  const channels = (cfg as { channels?: Record<string, unknown> } | null | undefined)?.channels;
  const channel = channels?.[channelId] as (RawHealthEntry & { accounts?: Record<string, RawHealthEntry> }) | undefined;
  const accountFlag = channel?.accounts?.[accountId]?.healthMonitor?.enabled;
  if (typeof accountFlag === 'boolean') return accountFlag;
  const channelFlag = channel?.healthMonitor?.enabled;
  if (typeof channelFlag === 'boolean') return channelFlag;
  return true;
}

/** The account shown as the channel's own entry. */
export function defaultAccountIdOf(plugin: AnyChannelPlugin, cfg: unknown, accountIds: readonly string[]): string {
  const chosen = plugin.config.defaultAccountId?.(cfg);
  if (typeof chosen === 'string' && chosen.length > 0) return chosen;
  return accountIds.includes('default') ? 'default' : (accountIds[0] ?? 'default');
}
