// Persist, then broadcast: the one path every fleet change takes. Changes are queued and written in batches
// (one transaction each, at most `maxBatch` changes, flushed on the next macrotask), and only what a
// committed transaction returned is handed to the listeners, in seq order. A store that fails stops the
// pipeline: nothing is broadcast that is not stored.
import type { FleetChange, FleetStore, JournalEntry } from '../adapters/store/index.js';
import { ErrorCodes, SupervisorError } from '../errors.js';

export interface FleetPipeline {
  /** Queues changes; flushed on the next macrotask, or at once when a batch is full. */
  ingest(changes: readonly FleetChange[]): void;
  /** Writes the queue and `changes` now, in that order, in one transaction. */
  persistNow(changes: readonly FleetChange[]): void;
  /** Writes whatever is queued. */
  flush(): void;
  readonly failure: SupervisorError | undefined;
}

export function createFleetPipeline(options: {
  store: FleetStore;
  maxBatch: number;
  onEntries: (entries: JournalEntry[]) => void;
  onFailure: (error: SupervisorError) => void;
}): FleetPipeline {
  let queue: FleetChange[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let failure: SupervisorError | undefined;

  function persistNow(changes: readonly FleetChange[]): void {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    const batch = queue.length > 0 ? [...queue, ...changes] : changes;
    queue = [];
    if (batch.length === 0 || failure !== undefined) return;
    let added: JournalEntry[];
    try {
      added = options.store.apply(batch);
    } catch (error) {
      failure = error instanceof SupervisorError ? error : new SupervisorError(ErrorCodes.STORE_FAILED, 'fleet store write failed', { cause: error });
      options.onFailure(failure);
      return;
    }
    if (added.length > 0) options.onEntries(added);
  }

  return {
    ingest(changes) {
      for (const change of changes) queue.push(change);
      if (queue.length >= options.maxBatch) return persistNow([]);
      scheduled ??= setImmediate(() => {
        scheduled = undefined;
        persistNow([]);
      });
    },
    persistNow,
    flush: () => persistNow([]),
    get failure() {
      return failure;
    },
  };
}
