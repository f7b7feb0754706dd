// Read-only views of pool snapshots, for `status()`, hosts (`useSelector`) and the inspector.
import type { SnapshotFrom } from 'xstate';
import type { PoolEntryMachine } from './pool-entry.machine.js';
import type { PoolEntryStateName, PoolEntryStatusView } from './types.js';

type PoolEntrySnapshot = SnapshotFrom<PoolEntryMachine>;

/** The flat state name of an entry. */
export function selectPoolEntryState(snapshot: PoolEntrySnapshot): PoolEntryStateName {
  if (snapshot.matches({ live: 'ready' })) return 'ready';
  if (snapshot.matches({ live: 'reconnecting' })) return 'reconnecting';
  if (snapshot.matches({ live: 'connecting' })) return 'connecting';
  if (snapshot.matches('refused')) return 'refused';
  if (snapshot.matches('unreachable')) return 'unreachable';
  return 'closed';
}

/** A plain, JSON-safe view: the key holds a credential fingerprint, never the credential. */
export function selectPoolEntryStatus(snapshot: PoolEntrySnapshot): PoolEntryStatusView {
  const { context } = snapshot;
  const view: PoolEntryStatusView = {
    key: context.key,
    url: context.url,
    state: selectPoolEntryState(snapshot),
    users: context.users,
    pending: context.pending,
  };
  if (context.pauseReason !== undefined) view.pauseReason = context.pauseReason;
  return view;
}
