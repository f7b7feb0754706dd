// Where the fleet client persists before it broadcasts: an interface and its default, a SQLite file.
export type { FleetChange, FleetStore, FleetView, JournalEntry } from './fleet-store.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
