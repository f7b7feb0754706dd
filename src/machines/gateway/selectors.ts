// Plain, serializable views of a gateway snapshot, shaped like the ClawX manager's GatewayStatus.
import type { SnapshotFrom } from 'xstate';
import type { GatewayLifecycle } from '../refresh/types.js';
import type { gatewayMachine } from './gateway.machine.js';
import { lifecycleMetaOf } from './lifecycle.js';
import type { GatewayFailure, GatewayMode, GatewayStateMeta } from './types.js';

export type GatewaySnapshot = SnapshotFrom<typeof gatewayMachine>;

export interface GatewayMachineStatus {
  /** The lifecycle name: stopped, starting, running, reconnecting, stopping, error. */
  state: GatewayLifecycle;
  /** The sub-state: probing, spawning, waitingReady, handshaking, repairing, backoff, restarting, reloading. */
  phase?: string;
  mode: GatewayMode;
  owned: boolean;
  pid?: number;
  epoch: number;
  bootId?: string;
  serverVersion?: string;
  crashCount: number;
  /** Stalls of the owned child's link not yet forgiven, and the restarts they caused. */
  stalls: { recent: number; restarts: number };
  /** A reload or restart is under way on behalf of the refresh machine. */
  refreshing?: 'restart' | 'reload';
  error?: GatewayFailure;
}

export function selectGatewayStatus(snapshot: GatewaySnapshot): GatewayMachineStatus {
  const { context } = snapshot;
  const meta = selectLifecycleMeta(snapshot);
  return {
    state: meta.lifecycle,
    ...(meta.phase === undefined ? {} : { phase: meta.phase }),
    mode: context.mode,
    owned: context.owned,
    ...(context.pid === undefined ? {} : { pid: context.pid }),
    epoch: context.epoch,
    ...(context.bootId === undefined ? {} : { bootId: context.bootId }),
    ...(context.serverVersion === undefined ? {} : { serverVersion: context.serverVersion }),
    crashCount: context.crashCount,
    stalls: { recent: context.stallCount, restarts: context.stallRestarts },
    ...(context.refreshing === undefined ? {} : { refreshing: context.refreshing }),
    ...(context.error === undefined ? {} : { error: context.error }),
  };
}

/** The lifecycle meta of the deepest active state that declares one (every leaf does). */
export function selectLifecycleMeta(snapshot: GatewaySnapshot): GatewayStateMeta {
  return lifecycleMetaOf(snapshot);
}

export function selectIsReady(snapshot: GatewaySnapshot): boolean {
  return snapshot.hasTag('ready');
}

export function selectIsBusy(snapshot: GatewaySnapshot): boolean {
  return snapshot.hasTag('busy');
}
