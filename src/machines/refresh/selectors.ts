// Plain, serializable views of a refresh snapshot for status pages and tests.
import type { SnapshotFrom } from 'xstate';
import type { refreshMachine } from './refresh.machine.js';
import type { RefreshKind } from './types.js';

export type RefreshSnapshot = SnapshotFrom<typeof refreshMachine>;

export interface RefreshStatus {
  /** The request waiting to run, if any. */
  pending: RefreshKind | null;
  /** `debouncing` while requests may still arrive, `due` while waiting for the gateway or the cooldown. */
  pendingPhase: 'debouncing' | 'due' | null;
  /** The request sent to the gateway and not yet answered. */
  inFlight: RefreshKind | null;
  coolingDown: boolean;
}

export function selectRefreshStatus(snapshot: RefreshSnapshot): RefreshStatus {
  const pending = pendingOf(snapshot);
  return {
    pending: pending?.kind ?? null,
    pendingPhase: pending?.phase ?? null,
    inFlight: snapshot.matches({ flight: 'restarting' }) ? 'restart' : snapshot.matches({ flight: 'reloading' }) ? 'reload' : null,
    coolingDown: snapshot.matches({ cooldown: 'cooling' }),
  };
}

function pendingOf(snapshot: RefreshSnapshot): { kind: RefreshKind; phase: 'debouncing' | 'due' } | undefined {
  if (snapshot.matches({ pending: 'debouncingRestart' })) return { kind: 'restart', phase: 'debouncing' };
  if (snapshot.matches({ pending: 'debouncingReload' })) return { kind: 'reload', phase: 'debouncing' };
  if (snapshot.matches({ pending: 'restartDue' })) return { kind: 'restart', phase: 'due' };
  if (snapshot.matches({ pending: 'reloadDue' })) return { kind: 'reload', phase: 'due' };
  return undefined;
}
