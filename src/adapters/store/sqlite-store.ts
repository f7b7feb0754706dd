// The default fleet store: one SQLite file (better-sqlite3, WAL). Opening checks that the file is a database
// and writable before anything else happens, so a bad path fails at start with a typed error instead of
// half-way through a batch. Statements are prepared once; a batch is one transaction.
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import type { FleetChange, FleetStore, FleetView, JournalEntry } from './fleet-store.js';

export interface SqliteStoreOptions {
  path: string;
  /** Journal rows kept; older ones are trimmed in the same transaction as the batch that passes the limit. */
  journalLimit: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fleet_view (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fleet_journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  identity TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  op TEXT NOT NULL,
  data TEXT NOT NULL,
  at INTEGER NOT NULL
);
`;

interface JournalRow {
  seq: number;
  identity: string;
  kind: string;
  id: string;
  op: FleetChange['op'];
  data: string;
  at: number;
}

/**
 * better-sqlite3 is an optional peer dependency: it compiles SQLite from source where no prebuilt binary can be
 * fetched, and only a fleet client with the default store needs it. It is loaded on first use.
 */
function loadDriver(path: string): typeof Database {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  } catch (error) {
    throw new SupervisorError(
      ErrorCodes.STORE_FAILED,
      'the default fleet store needs better-sqlite3: `npm install better-sqlite3@12`, or pass your own `store`',
      { details: { reason: 'driver-missing', path }, cause: error },
    );
  }
}

export function openSqliteStore(options: SqliteStoreOptions): FleetStore {
  const Driver = loadDriver(options.path);
  let db: Database.Database;
  try {
    db = new Driver(options.path, { fileMustExist: false });
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives the process being killed (it is in the OS's cache);
    // only a power loss can take the last few, and the journal de-duplicates what a re-sync brings back.
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    // Proves the file is writable now, not at the first batch.
    db.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (error) {
    throw storeError(error, options.path);
  }

  const insert = db.prepare<[string, string, string, string, string, number]>(
    'INSERT OR IGNORE INTO fleet_journal (identity, kind, id, op, data, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const put = db.prepare<[string, string, string, number]>(
    'INSERT INTO fleet_view (kind, id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at',
  );
  const remove = db.prepare<[string, string]>('DELETE FROM fleet_view WHERE kind = ? AND id = ?');
  const trim = db.prepare<[number]>('DELETE FROM fleet_journal WHERE seq <= ?');
  const selectSince = db.prepare<[number, number], JournalRow>('SELECT * FROM fleet_journal WHERE seq > ? ORDER BY seq LIMIT ?');
  const selectView = db.prepare<[], { kind: string; id: string; data: string }>('SELECT kind, id, data FROM fleet_view');
  const selectBounds = db.prepare<[], { oldest: number | null; newest: number | null }>(
    'SELECT MIN(seq) AS oldest, MAX(seq) AS newest FROM fleet_journal',
  );
  let newest = selectBounds.get()?.newest ?? 0;

  const applyBatch = db.transaction((changes: readonly FleetChange[]): JournalEntry[] => {
    const at = Date.now();
    const added: JournalEntry[] = [];
    for (const change of changes) {
      const data = JSON.stringify(change.data ?? null);
      const result = insert.run(change.identity, change.kind, change.id, change.op, data, at);
      if (result.changes === 0) continue;
      if (change.op === 'put') put.run(change.kind, change.id, data, at);
      else if (change.op === 'delete') remove.run(change.kind, change.id);
      added.push({ ...change, seq: Number(result.lastInsertRowid), at });
    }
    if (added.length > 0) {
      newest = added[added.length - 1]!.seq;
      if (newest > options.journalLimit) trim.run(newest - options.journalLimit);
    }
    return added;
  });

  return {
    apply(changes) {
      if (changes.length === 0) return [];
      try {
        return applyBatch(changes);
      } catch (error) {
        // The transaction rolled back: neither the view nor the journal holds any of the batch.
        throw storeError(error, options.path);
      }
    },
    view() {
      const view: FleetView = {};
      for (const row of selectView.iterate()) (view[row.kind] ??= {})[row.id] = JSON.parse(row.data) as unknown;
      return view;
    },
    since(seq, limit = 10_000) {
      return selectSince.all(seq, limit).map((row) => ({
        seq: row.seq,
        identity: row.identity,
        kind: row.kind,
        id: row.id,
        op: row.op,
        data: JSON.parse(row.data) as unknown,
        at: row.at,
      }));
    },
    lastSeq: () => newest,
    oldestSeq: () => selectBounds.get()?.oldest ?? 0,
    close() {
      if (db.open) db.close();
    },
  };
}

/** SQLite's own codes become the reasons a host can branch on; the path is shown, nothing else. */
function storeError(error: unknown, path: string): SupervisorError {
  const code = (error as { code?: unknown }).code;
  const reason =
    code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT'
      ? 'not-a-database'
      : code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM'
        ? code === 'SQLITE_CANTOPEN'
          ? 'cannot-open'
          : 'read-only'
        : 'io';
  return new SupervisorError(ErrorCodes.STORE_FAILED, `fleet store ${path}: ${reason}`, {
    details: { reason, path, ...(typeof code === 'string' ? { sqliteCode: code } : {}) },
    cause: error,
  });
}
