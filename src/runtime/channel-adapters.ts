// The effects behind every in-process account actor of one manager, built once: the plugin's task, the
// start slot, the config read and the clock. Each actor finds its plugin by the channel id in its input.
import { fromCallback } from 'xstate';
import type { LoggerLike } from '../config.js';
import type { ChannelAccountDeps, ChannelAccountStatus, ResolvedAccount, TaskActorInput, TaskCommand } from '../machines/channels/index.js';
import { isAccountEnabled, type AnyChannelPlugin, type ChannelAccountContext } from './channel-plugin.js';
import type { StartSlots } from './channel-start-slots.js';

export interface ChannelAdapterParts {
  plugins: ReadonlyMap<string, AnyChannelPlugin>;
  loadConfig(): unknown;
  slots: StartSlots;
  logger: LoggerLike;
  now(): number;
  /** The account's status as the manager sees it (for `ctx.getStatus()`). */
  statusOf(channelId: string, accountId: string): ChannelAccountStatus;
}

/** The message of anything thrown, never the value itself (it may hold a secret the plugin put there). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return 'a non-Error value was thrown';
}

export function createChannelAccountDeps(parts: ChannelAdapterParts): ChannelAccountDeps {
  const { plugins, loadConfig, slots, logger, now } = parts;
  const pluginOf = (channelId: string): AnyChannelPlugin => {
    const plugin = plugins.get(channelId);
    if (plugin === undefined) throw new Error(`no channel plugin "${channelId}"`);
    return plugin;
  };

  return {
    acquireStartSlot: (_input, grant) => slots.acquire(grant),

    async resolveAccount({ channelId, accountId }): Promise<ResolvedAccount> {
      const plugin = pluginOf(channelId);
      const cfg = loadConfig();
      const account = plugin.config.resolveAccount(cfg, accountId);
      const enabled = plugin.config.isEnabled ? plugin.config.isEnabled(account, cfg) : isAccountEnabled(account);
      if (!enabled) return { kind: 'disabled', reason: plugin.config.disabledReason?.(account, cfg) ?? 'disabled' };
      const configured = plugin.config.isConfigured ? await plugin.config.isConfigured(account, cfg) : true;
      if (!configured) return { kind: 'unconfigured', reason: plugin.config.unconfiguredReason?.(account, cfg) ?? 'not configured' };
      return { kind: 'ready' };
    },

    now,

    // One task per invocation: the machine invokes it in `task.live` and keeps that state until the task
    // has really ended, so a task that ignores its abort can never have a second one beside it.
    task: fromCallback<TaskCommand, TaskActorInput>(({ input, sendBack, receive }) => {
      const { channelId, accountId, generation } = input;
      // Made on first use: a child logger per account is a real cost at 10,000 accounts, and most never log.
      let childLog: LoggerLike | undefined;
      const log = () => (childLog ??= logger.child({ channel: channelId, account: accountId }));
      const abort = new AbortController();
      let attached = true;
      let ended = false;
      // The plugin's promise settles once, but a plugin may also call back after its task ended or after
      // the account moved on: only the first end counts, and nothing is sent once the actor is stopped.
      const end = (error: string) => {
        if (ended) return;
        ended = true;
        if (attached) sendBack({ type: 'task.exited', generation, at: now(), error });
      };
      sendBack({ type: 'task.started', generation, at: now() });

      let ctx: ChannelAccountContext | undefined;
      try {
        const plugin = pluginOf(channelId);
        const cfg = loadConfig();
        const account = plugin.config.resolveAccount(cfg, accountId);
        ctx = {
          cfg,
          channelId,
          accountId,
          account,
          abortSignal: abort.signal,
          get log() {
            return log();
          },
          getStatus: () => parts.statusOf(channelId, accountId),
          setStatus: (patch) => {
            if (attached && !ended && typeof patch === 'object' && patch !== null) sendBack({ type: 'account.status', generation, at: now(), patch });
          },
        };
        const task = plugin.gateway.startAccount(ctx);
        Promise.resolve(task).then(
          () => end('exited without an error'),
          (error: unknown) => {
            const message = errorText(error);
            log().warn({ err: message }, 'channel task failed');
            end(message);
          },
        );
      } catch (error) {
        const message = errorText(error);
        log().warn({ err: message }, 'channel task threw on start');
        end(message);
      }

      receive((command) => {
        if (command.type !== 'task.abort') return;
        abort.abort();
        const plugin = plugins.get(channelId);
        if (ctx === undefined || plugin?.gateway.stopAccount === undefined) return;
        // A throwing stop hook must not keep the account from stopping (openclaw#97797).
        try {
          Promise.resolve(plugin.gateway.stopAccount(ctx)).catch((error: unknown) => log().warn({ err: errorText(error) }, 'stopAccount failed'));
        } catch (error) {
          log().warn({ err: errorText(error) }, 'stopAccount threw');
        }
      });

      return () => {
        attached = false;
        abort.abort();
      };
    }),
  };
}
