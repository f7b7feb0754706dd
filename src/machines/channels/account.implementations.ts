// What the account chart needs from outside, and how it becomes the chart's implementations. Built once
// per manager from its dependencies: each actor gets the channel and account ids (and the task its
// generation) through its input, so one provided machine serves every account.
import { fromCallback, fromPromise, type CallbackActorLogic } from 'xstate';
import type { AccountInstanceInput, ResolvedAccount, TaskActorInput, TaskCommand } from './types.js';

export interface ChannelAccountDeps {
  /** Runs one task of an account; sends back task.started, account.status and task.exited. */
  task: CallbackActorLogic<TaskCommand, TaskActorInput>;
  /** Waits for a start slot, then calls `grant()`; the returned function gives the slot back. */
  acquireStartSlot(input: AccountInstanceInput, grant: () => void): () => void;
  /** Reads the config for this decision. */
  resolveAccount(input: AccountInstanceInput): Promise<ResolvedAccount>;
  /** The time of a monitor check. */
  now(): number;
}

/** For `channelAccountMachine.provide(...)`, which type-checks each actor against its placeholder. */
export function createAccountImplementations(deps: ChannelAccountDeps) {
  return {
    actors: {
      accountTask: deps.task,
      startSlot: fromCallback<{ type: never }, AccountInstanceInput>(({ input, sendBack }) =>
        deps.acquireStartSlot(input, () => sendBack({ type: 'slot.granted' })),
      ),
      resolveAccount: fromPromise<ResolvedAccount, AccountInstanceInput>(({ input }) => deps.resolveAccount(input)),
      readClock: fromPromise<number, void>(async () => deps.now()),
    },
  };
}
