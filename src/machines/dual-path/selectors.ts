// Read-only views of a dual-path snapshot, for the fleet client's status and the inspector.
import type { SnapshotFrom } from 'xstate';
import type { DualPathMachine } from './dual-path.machine.js';
import type { DualPathStatusView, FleetPathName } from './types.js';

type DualPathSnapshot = SnapshotFrom<DualPathMachine>;

export function selectFleetPath(snapshot: DualPathSnapshot): FleetPathName {
  if (snapshot.matches({ running: 'websocket' })) return 'websocket';
  if (snapshot.matches({ running: 'grace' })) return 'grace';
  if (snapshot.matches({ running: 'http' })) return 'http';
  if (snapshot.matches({ running: 'starting' })) return 'starting';
  return 'stopped';
}

export function selectDualPathStatus(snapshot: DualPathSnapshot): DualPathStatusView {
  const path = selectFleetPath(snapshot);
  const phase: DualPathStatusView['phase'] = snapshot.matches({ running: { websocket: 'syncing' } })
    ? 'syncing'
    : snapshot.matches({ running: { websocket: 'streaming' } })
      ? 'streaming'
      : snapshot.matches({ running: { http: 'fetching' } })
        ? 'fetching'
        : snapshot.matches({ running: { http: 'healthy' } })
          ? 'healthy'
          : snapshot.matches({ running: { http: 'failing' } })
            ? 'failing'
            : path === 'stopped'
              ? 'stopped'
              : 'waiting';
  const view: DualPathStatusView = { path, phase, polls: snapshot.context.polls };
  if (snapshot.context.lastPollFailure) view.lastPollFailure = { ...snapshot.context.lastPollFailure };
  if (snapshot.context.lastSyncFailure) view.lastSyncFailure = { ...snapshot.context.lastSyncFailure };
  return view;
}
