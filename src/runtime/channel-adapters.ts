// The effects behind every in-process account actor of one manager, built once: the plugin's task, the
// start slot, the config read and the clock. Each actor finds its plugin by the channel id in its input.
import type { LoggerLike } from '../config.js';
import type {
  AccountSelf,
  AccountTasks,
  ChannelAccountDeps,
  ChannelAccountStatus,
  ChannelStatusPatch,
  ResolvedAccount,
  TaskActorInput,
  TaskSignal,
} from '../machines/channels/index.js';
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
  const { plugins, loadConfig, slots, now } = parts;
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

    // The task of each account, run here rather than by an invoked child actor (a second actor per account
    // doubled its heap). The chart keeps the task's lifetime: `task.live` is entered to run it and left only
    // on its `task.exited`, so a task that ignores its abort can never have a second one beside it.
    tasks: createTaskRunner(parts, pluginOf),
  };
}

/** One run per account at most: a new run replaces (and detaches) a run the chart never released. */
function createTaskRunner(parts: ChannelAdapterParts, pluginOf: (channelId: string) => AnyChannelPlugin): AccountTasks {
  const runs = new Map<AccountSelf, TaskRun>();
  return {
    run(account, input) {
      const previous = runs.get(account);
      if (previous !== undefined) TaskRun.detach(previous);
      const run = new TaskRun(parts, input, account);
      runs.set(account, run);
      TaskRun.start(run, pluginOf);
    },
    abort(account, generation) {
      const run = runs.get(account);
      if (run !== undefined && TaskRun.generationOf(run) === generation) TaskRun.command(run);
    },
    release(account, generation) {
      const run = runs.get(account);
      if (run === undefined || (generation !== undefined && TaskRun.generationOf(run) !== generation)) return;
      runs.delete(account);
      TaskRun.detach(run);
    },
  };
}

/**
 * One run of a plugin's task, and the context `startAccount` and `stopAccount` receive (OpenClaw's
 * ChannelGatewayContext), in one object: at 10,000 accounts every object, closure and map entry per account
 * counts. What the plugin sees are own, enumerable properties, so it may destructure or spread the context
 * as it could the object literal it was; the run's own state is in private fields and the runner's calls
 * are static, so neither shows on the context.
 * `log`, `getStatus` and `setStatus` are accessors (one shared getter each) that make the child logger or
 * the bound function on first use: most tasks never log, and a bound function is 48 bytes an account.
 */
class TaskRun implements ChannelAccountContext {
  cfg: unknown = undefined;
  readonly channelId: string;
  readonly accountId: string;
  account: unknown = undefined;
  readonly abortSignal: AbortSignal;
  declare readonly log: LoggerLike;
  declare readonly getStatus: () => ChannelAccountStatus;
  declare readonly setStatus: (patch: ChannelStatusPatch) => void;
  readonly #generation: number;
  readonly #parts: ChannelAdapterParts;
  readonly #self: AccountSelf;
  readonly #abort = new AbortController();
  #attached = true;
  #ended = false;
  #log: LoggerLike | undefined = undefined;
  #getStatus: (() => ChannelAccountStatus) | undefined = undefined;
  #setStatus: ((patch: ChannelStatusPatch) => void) | undefined = undefined;

  static readonly #members: PropertyDescriptorMap = {
    log: {
      get(this: TaskRun) {
        return this.#logger();
      },
      enumerable: true,
      configurable: true,
    },
    getStatus: {
      get(this: TaskRun) {
        return (this.#getStatus ??= this.#status.bind(this));
      },
      enumerable: true,
      configurable: true,
    },
    setStatus: {
      get(this: TaskRun) {
        return (this.#setStatus ??= this.#report.bind(this));
      },
      enumerable: true,
      configurable: true,
    },
  };

  constructor(parts: ChannelAdapterParts, input: TaskActorInput, self: AccountSelf) {
    this.channelId = input.channelId;
    this.accountId = input.accountId;
    this.abortSignal = this.#abort.signal;
    Object.defineProperties(this, TaskRun.#members);
    this.#generation = input.generation;
    this.#parts = parts;
    this.#self = self;
  }

  static generationOf(run: TaskRun): number {
    return run.#generation;
  }

  static start(run: TaskRun, pluginOf: (channelId: string) => AnyChannelPlugin): void {
    run.#start(pluginOf);
  }

  /** The chart's abort: the signal, then the plugin's stop hook. */
  static command(run: TaskRun): void {
    run.#command();
  }

  /** The chart released the run (or replaced it): nothing it sends is delivered any more, and its task is aborted. */
  static detach(run: TaskRun): void {
    run.#attached = false;
    run.#abort.abort();
  }

  #start(pluginOf: (channelId: string) => AnyChannelPlugin): void {
    this.#sendBack({ type: 'task.started', generation: this.#generation, at: this.#parts.now() });
    try {
      const plugin = pluginOf(this.channelId);
      this.cfg = this.#parts.loadConfig();
      this.account = plugin.config.resolveAccount(this.cfg, this.accountId);
      const task = plugin.gateway.startAccount(this);
      Promise.resolve(task).then(this.#exitedCleanly.bind(this), this.#failed.bind(this));
    } catch (error) {
      const message = errorText(error);
      this.#logger().warn({ err: message }, 'channel task threw on start');
      this.#end(message);
    }
  }

  #command(): void {
    this.#abort.abort();
    const plugin = this.#parts.plugins.get(this.channelId);
    if (this.account === undefined || plugin?.gateway.stopAccount === undefined) return;
    // A throwing stop hook must not keep the account from stopping (openclaw#97797).
    try {
      Promise.resolve(plugin.gateway.stopAccount(this)).catch(this.#stopFailed.bind(this));
    } catch (error) {
      this.#logger().warn({ err: errorText(error) }, 'stopAccount threw');
    }
  }

  /** Signals go to the account while the run is attached (until the chart releases it or the account is gone). */
  #sendBack(signal: TaskSignal): void {
    if (this.#attached) this.#self.send(signal);
  }

  /** The run's logger, made on first use: a child logger per account is a real cost at 10,000 accounts, and most never log. */
  #logger(): LoggerLike {
    return (this.#log ??= this.#parts.logger.child({ channel: this.channelId, account: this.accountId }));
  }

  /** The plugin's promise settles once, but a plugin may call back after its task ended or after the account moved on: only the first end counts, and nothing is sent once the actor is stopped. */
  #end(error: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sendBack({ type: 'task.exited', generation: this.#generation, at: this.#parts.now(), error });
  }

  #exitedCleanly(): void {
    this.#end('exited without an error');
  }

  #failed(error: unknown): void {
    const message = errorText(error);
    this.#logger().warn({ err: message }, 'channel task failed');
    this.#end(message);
  }

  #stopFailed(error: unknown): void {
    this.#logger().warn({ err: errorText(error) }, 'stopAccount failed');
  }

  #status(): ChannelAccountStatus {
    return this.#parts.statusOf(this.channelId, this.accountId);
  }

  #report(patch: ChannelStatusPatch): void {
    if (this.#attached && !this.#ended && typeof patch === 'object' && patch !== null) {
      this.#sendBack({ type: 'account.status', generation: this.#generation, at: this.#parts.now(), patch });
    }
  }
}
