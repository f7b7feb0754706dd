// Read-only views of lease snapshots, for `status()`, hosts (`useSelector`) and the inspector.
import type { SnapshotFrom } from 'xstate';
import type { LeaseMachine } from './lease.machine.js';
import type { LeaseStateName, LeaseStatusView } from './types.js';

type LeaseSnapshot = SnapshotFrom<LeaseMachine>;

/** The flat state name of a lease. */
export function selectLeaseState(snapshot: LeaseSnapshot): LeaseStateName {
  if (snapshot.matches({ owned: 'renewing' }) || snapshot.matches({ owned: 'retrying' })) return 'renewing';
  if (snapshot.matches('owned')) return 'owned';
  if (snapshot.matches({ acquiring: 'waiting' })) return 'waiting';
  if (snapshot.matches('acquiring')) return 'acquiring';
  if (snapshot.matches('lost')) return 'lost';
  if (snapshot.matches('releasing')) return 'releasing';
  return 'released';
}

/** True while this host may act for the key: the chart is owned and its deadline has not passed. */
export function selectLeaseOwned(snapshot: LeaseSnapshot): boolean {
  return snapshot.status === 'active' && snapshot.hasTag('owned');
}

/** A plain, JSON-safe view (the key holds a credential fingerprint, never the credential). */
export function selectLeaseStatus(snapshot: LeaseSnapshot): LeaseStatusView {
  const { context } = snapshot;
  const view: LeaseStatusView = { key: context.key, hostId: context.hostId, state: selectLeaseState(snapshot) };
  if (context.token !== undefined) view.token = context.token;
  if (context.lostReason !== undefined) view.lostReason = context.lostReason;
  if (context.lastError !== undefined) view.lastError = context.lastError;
  return view;
}
