// What the account chart needs from outside, and how it becomes the chart's implementations. Built once
// per manager from its dependencies: each actor gets the channel and account ids through its input, and
// each task action the account itself (to report to) and its generation, so one provided machine serves
// every account.
import { fromCallback, fromPromise } from 'xstate';
import type { AccountSelf } from './account.setup.js';
import type { AccountInstanceInput, ChannelAccountContext, ResolvedAccount, TaskActorInput } from './types.js';

/** Runs the plugins' tasks for every account of a manager. */
export interface AccountTasks {
  /** Starts the task of `input.generation`; it sends `task.started`, `account.status` and `task.exited` to `account`. */
  run(account: AccountSelf, input: TaskActorInput): void;
  /** Aborts the account's current task (its abort signal, then the plugin's `stopAccount`). */
  abort(account: AccountSelf, generation: number): void;
  /** The account is done with its task (it ended, or the account is gone): nothing it sends is delivered any more. */
  release(account: AccountSelf, generation?: number): void;
}

export interface ChannelAccountDeps {
  /** Runs the tasks. */
  tasks: AccountTasks;
  /** Waits for a start slot, then calls `grant()`; the returned function gives the slot back. */
  acquireStartSlot(input: AccountInstanceInput, grant: () => void): () => void;
  /** Reads the config for this decision. */
  resolveAccount(input: AccountInstanceInput): Promise<ResolvedAccount>;
  /** The time of a monitor check. */
  now(): number;
}

type TaskActionArgs = { context: ChannelAccountContext; self: AccountSelf };

/** For `channelAccountMachine.provide(...)`, which type-checks each actor and action against its placeholder. */
export function createAccountImplementations(deps: ChannelAccountDeps) {
  const { tasks } = deps;
  return {
    actors: {
      startSlot: fromCallback<{ type: never }, AccountInstanceInput>(({ input, sendBack }) =>
        deps.acquireStartSlot(input, () => sendBack({ type: 'slot.granted' })),
      ),
      resolveAccount: fromPromise<ResolvedAccount, AccountInstanceInput>(({ input }) => deps.resolveAccount(input)),
      readClock: fromPromise<number, void>(async () => deps.now()),
    },
    actions: {
      runTask: ({ context, self }: TaskActionArgs) =>
        tasks.run(self, { channelId: context.channelId, accountId: context.accountId, generation: context.generation }),
      abortTask: ({ context, self }: TaskActionArgs) => tasks.abort(self, context.generation),
      releaseTask: ({ context, self }: TaskActionArgs) => tasks.release(self, context.generation),
    },
  };
}
