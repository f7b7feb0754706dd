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
      runs.get(account)?.stop();
      const run = new TaskRun(parts, input, account);
      runs.set(account, run);
      run.start(pluginOf);
    },
    abort(account, generation) {
      const run = runs.get(account);
      if (run !== undefined && run.input.generation === generation) run.command();
    },
    release(account, generation) {
      const run = runs.get(account);
      if (run === undefined || (generation !== undefined && run.input.generation !== generation)) return;
      runs.delete(account);
      run.stop();
    },
  };
}

/**
 * One run of a plugin's task. A class with bound methods rather than a handful of closures per run: at
 * 10,000 accounts each closure (and each object literal with a getter, which V8 keeps as a hash table)
 * is a measurable share of an account's heap. `getStatus` and `setStatus` stay own, bound functions, so
 * a plugin may destructure them from its context.
 */
class TaskRun {
  readonly abort = new AbortController();
  attached = true;
  ended = false;
  ctx: TaskContext | undefined;
  childLog: LoggerLike | undefined;

  constructor(
    readonly parts: ChannelAdapterParts,
    readonly input: TaskActorInput,
    readonly account: AccountSelf,
  ) {}

  /** Signals go to the account while the run is attached (until the chart releases it or the account is gone). */
  sendBack(signal: TaskSignal): void {
    if (this.attached) this.account.send(signal);
  }

  start(pluginOf: (channelId: string) => AnyChannelPlugin): void {
    const { channelId, accountId, generation } = this.input;
    this.sendBack({ type: 'task.started', generation, at: this.parts.now() });
    try {
      const plugin = pluginOf(channelId);
      const cfg = this.parts.loadConfig();
      const account = plugin.config.resolveAccount(cfg, accountId);
      this.ctx = new TaskContext(this, cfg, account);
      const task = plugin.gateway.startAccount(this.ctx);
      Promise.resolve(task).then(this.exitedCleanly.bind(this), this.failed.bind(this));
    } catch (error) {
      const message = errorText(error);
      this.log().warn({ err: message }, 'channel task threw on start');
      this.end(message);
    }
  }

  /** The run's logger, made on first use: a child logger per account is a real cost at 10,000 accounts, and most never log. */
  log(): LoggerLike {
    return (this.childLog ??= this.parts.logger.child({ channel: this.input.channelId, account: this.input.accountId }));
  }

  /** The plugin's promise settles once, but a plugin may call back after its task ended or after the account moved on: only the first end counts, and nothing is sent once the actor is stopped. */
  end(error: string): void {
    if (this.ended) return;
    this.ended = true;
    this.sendBack({ type: 'task.exited', generation: this.input.generation, at: this.parts.now(), error });
  }

  exitedCleanly(): void {
    this.end('exited without an error');
  }

  failed(error: unknown): void {
    const message = errorText(error);
    this.log().warn({ err: message }, 'channel task failed');
    this.end(message);
  }

  status(): ChannelAccountStatus {
    return this.parts.statusOf(this.input.channelId, this.input.accountId);
  }

  setStatus(patch: ChannelStatusPatch): void {
    if (this.attached && !this.ended && typeof patch === 'object' && patch !== null) {
      this.sendBack({ type: 'account.status', generation: this.input.generation, at: this.parts.now(), patch });
    }
  }

  /** The chart's abort: the signal, then the plugin's stop hook. */
  command(): void {
    this.abort.abort();
    const plugin = this.parts.plugins.get(this.input.channelId);
    if (this.ctx === undefined || plugin?.gateway.stopAccount === undefined) return;
    // A throwing stop hook must not keep the account from stopping (openclaw#97797).
    try {
      Promise.resolve(plugin.gateway.stopAccount(this.ctx)).catch(this.stopFailed.bind(this));
    } catch (error) {
      this.log().warn({ err: errorText(error) }, 'stopAccount threw');
    }
  }

  stopFailed(error: unknown): void {
    this.log().warn({ err: errorText(error) }, 'stopAccount failed');
  }

  stop(): void {
    this.attached = false;
    this.abort.abort();
  }
}

/**
 * What `startAccount` and `stopAccount` receive (OpenClaw's ChannelGatewayContext): every member an own,
 * enumerable property, so a plugin may destructure or spread it, as it could the object literal it was.
 * `log` is an accessor (a child logger made on first use) whose getter is shared by every context.
 */
class TaskContext implements ChannelAccountContext {
  readonly cfg: unknown;
  readonly channelId: string;
  readonly accountId: string;
  readonly account: unknown;
  readonly abortSignal: AbortSignal;
  declare readonly log: LoggerLike;
  readonly getStatus: () => ChannelAccountStatus;
  readonly setStatus: (patch: ChannelStatusPatch) => void;

  constructor(run: TaskRun, cfg: unknown, account: unknown) {
    this.cfg = cfg;
    this.channelId = run.input.channelId;
    this.accountId = run.input.accountId;
    this.account = account;
    this.abortSignal = run.abort.signal;
    Object.defineProperty(this, 'log', { get: contextLog, enumerable: true, configurable: true });
    this.getStatus = run.status.bind(run);
    this.setStatus = run.setStatus.bind(run);
    runOf.set(this, run);
  }
}

const runOf = new WeakMap<TaskContext, TaskRun>();

function contextLog(this: TaskContext): LoggerLike {
  return runOf.get(this)!.log();
}
