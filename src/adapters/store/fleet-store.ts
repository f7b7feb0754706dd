// The fleet client's store: the last fleet view (one row per thing: agent, session, gateway health ...) and an
// event journal (one row per change, numbered `seq`, unique by event identity). Every batch is one
// transaction: the view and the journal move together or not at all, and a change already journalled (same
// identity) is neither stored again nor reported again, so re-syncs, reconnects and restarts add nothing twice.

/** One change to the fleet view, with the identity that makes it unique. */
export interface FleetChange {
  /** Unique per change: `agent:<runId>:<seq>`, `session:<key>:<content hash>` ... */
  identity: string;
  /** What the row is: `agent`, `session`, `gateway`, or a live event's name. */
  kind: string;
  id: string;
  /** `put` replaces the row, `delete` removes it, `event` only journals. */
  op: 'put' | 'delete' | 'event';
  data: unknown;
}

/** A journalled change, as persisted. */
export interface JournalEntry extends FleetChange {
  seq: number;
  /** When it was persisted (ms since epoch). */
  at: number;
}

/** The last persisted view: kind -> id -> data. */
export type FleetView = Record<string, Record<string, unknown>>;

export interface FleetStore {
  /** Persists a batch in one transaction; resolves what was new (duplicates by identity are skipped), in seq order. */
  apply(changes: readonly FleetChange[]): JournalEntry[];
  view(): FleetView;
  /** Journal entries after `seq`, oldest first, at most `limit`. */
  since(seq: number, limit?: number): JournalEntry[];
  /** The newest seq (0 when empty). */
  lastSeq(): number;
  /** The oldest seq still kept (0 when empty): a resume from before it gets a snapshot instead. */
  oldestSeq(): number;
  close(): void;
}
