// Scripted in-process channel plugins for the channel manager tests: each account's behaviour is chosen
// per start, and every task the manager launches is recorded (alive, aborted, ended).
import type { ChannelAccountContext, ChannelPlugin } from '../../src/runtime/channel-plugin.js';

export type TaskBehaviour =
  /** Runs until aborted, then ends. */
  | 'honour-abort'
  /** Ignores its abort; ends only when the test calls `release()`. */
  | 'ignore-abort'
  /** Rejects after `ms`. */
  | { crashAfterMs: number; message?: string }
  /** Throws from startAccount itself. */
  | 'throw-sync'
  /** Returns an already resolved value. */
  | 'resolve-at-once'
  /** A thenable that resolves and then rejects (and resolves again). */
  | 'settle-twice';

export interface TaskRecord {
  accountId: string;
  ctx: ChannelAccountContext;
  alive: boolean;
  aborted: boolean;
  release(): void;
}

export interface TestConfig {
  channels: Record<
    string,
    { accounts: Record<string, { enabled?: boolean; healthMonitor?: { enabled?: boolean } }>; healthMonitor?: { enabled?: boolean } }
  >;
}

export interface ScriptedPlugin {
  plugin: ChannelPlugin<TestConfig, { id: string; enabled?: boolean }>;
  tasks: TaskRecord[];
  /** Behaviour of the next starts of an account (shifted per start; the last one repeats). */
  script(accountId: string, ...behaviours: TaskBehaviour[]): void;
  live(accountId?: string): TaskRecord[];
  /** Most tasks alive at once for one account, over the whole test. */
  maxConcurrent(accountId: string): number;
  onStart?: (record: TaskRecord) => void;
}

export function scriptedPlugin(id = 'chat', extra: Partial<ChannelPlugin<TestConfig, { id: string; enabled?: boolean }>> = {}): ScriptedPlugin {
  const scripts = new Map<string, TaskBehaviour[]>();
  const peaks = new Map<string, number>();
  const tasks: TaskRecord[] = [];
  const live = (accountId?: string) => tasks.filter((t) => t.alive && (accountId === undefined || t.accountId === accountId));
  const next = (accountId: string): TaskBehaviour => {
    const list = scripts.get(accountId) ?? ['honour-abort'];
    return list.length > 1 ? list.shift()! : list[0]!;
  };
  const scripted: ScriptedPlugin = {
    tasks,
    live,
    script: (accountId, ...behaviours) => scripts.set(accountId, behaviours),
    maxConcurrent: (accountId) => peaks.get(accountId) ?? 0,
    plugin: {
      id,
      config: {
        listAccountIds: (cfg) => Object.keys(cfg.channels[id]?.accounts ?? {}),
        resolveAccount: (cfg, accountId) => ({ id: accountId, ...cfg.channels[id]?.accounts[accountId] }),
      },
      gateway: {
        startAccount: (ctx) => {
          const behaviour = next(ctx.accountId);
          let release = () => {};
          const record: TaskRecord = { accountId: ctx.accountId, ctx: ctx as never, alive: true, aborted: false, release: () => release() };
          tasks.push(record);
          peaks.set(ctx.accountId, Math.max(peaks.get(ctx.accountId) ?? 0, live(ctx.accountId).length));
          ctx.abortSignal.addEventListener('abort', () => (record.aborted = true));
          scripted.onStart?.(record);
          const finish = () => (record.alive = false);
          if (behaviour === 'throw-sync') {
            finish();
            throw new Error('startAccount threw');
          }
          if (behaviour === 'resolve-at-once') {
            finish();
            return undefined;
          }
          if (behaviour === 'settle-twice') {
            finish();
            return {
              then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
                resolve('first');
                reject(new Error('second'));
                resolve('third');
              },
            };
          }
          return new Promise<void>((resolve, reject) => {
            const end = (error?: Error) => {
              finish();
              if (error) reject(error);
              else resolve();
            };
            release = () => end();
            if (behaviour === 'honour-abort') ctx.abortSignal.addEventListener('abort', () => end(), { once: true });
            else if (typeof behaviour === 'object') setTimeout(() => end(new Error(behaviour.message ?? 'connection reset')), behaviour.crashAfterMs);
          });
        },
      },
      ...extra,
    },
  };
  return scripted;
}

export function configWith(channelId: string, accountIds: string[]): TestConfig {
  return { channels: { [channelId]: { accounts: Object.fromEntries(accountIds.map((id) => [id, {}])) } } };
}

export const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quietLogger;
  },
};

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every 5 ms until it holds, or fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
