// Types and event names of the refresh machine: it turns restart/reload requests into at most one
// `gateway.restart` or `gateway.reload` at a time, sent to its supervisor (the gateway machine, which
// invokes it with systemId 'refresh') when the gateway can take it.
import type { AnyActorRef } from 'xstate';
import { defaults } from '../defaults.js';

export type RefreshKind = 'restart' | 'reload';

/** The gateway lifecycle as the gateway machine reports it (`selectGatewayStatus().state`). */
export type GatewayLifecycle = 'stopped' | 'starting' | 'running' | 'reconnecting' | 'stopping' | 'error';

export interface RefreshSettings {
  /** Quiet time after the last `refresh.restart.request` before the restart is due. */
  restartDebounceMs: number;
  /** Quiet time after the last `refresh.reload.request` before the reload is due. */
  reloadDebounceMs: number;
  /** Minimum time between the end of one restart and the start of the next. */
  restartCooldownMs: number;
}

/** The refresh timings of src/machines/defaults.ts (the reasons are there). */
export const defaultRefreshSettings: RefreshSettings = { ...defaults.refresh };

export interface RefreshMachineInput extends Partial<RefreshSettings> {
  /** Receives `gateway.restart` / `gateway.reload` and answers `refresh.completed` / `refresh.failed`. */
  supervisor: AnyActorRef;
}

export interface RefreshContext {
  supervisor: AnyActorRef;
  settings: RefreshSettings;
}

// ---- inbound ----------------------------------------------------------------------------------------

/** From the host (the gateway machine forwards these). */
export type RefreshRequest =
  /** Debounced restart (`requestRestart()`): bursts coalesce into one. */
  | { type: 'refresh.restart.request' }
  /** Debounced reload (`requestReload()`). */
  | { type: 'refresh.reload.request' }
  /** Restart as soon as the gateway can take it (`restart()`); joins a restart already in flight. */
  | { type: 'refresh.restart.now' }
  /** Reload as soon as the gateway can take it (`reload()`); joins a reload already in flight. */
  | { type: 'refresh.reload.now' };

/** From the supervisor: the lifecycle changed. Repeats of the same value are harmless. */
export type GatewayStateReport = { type: 'gateway.state'; value: GatewayLifecycle };

/** From the supervisor: how the refresh it was told to do ended. `kind` is what was really done. */
export type RefreshOutcome = { type: 'refresh.completed'; kind: RefreshKind } | { type: 'refresh.failed'; kind: RefreshKind; reason: string };

/** Raised by the pending region to start a flight; never send it from outside. */
export type RefreshDispatch = { type: 'refresh.dispatch.restart' } | { type: 'refresh.dispatch.reload' };

export type RefreshEvent = RefreshRequest | GatewayStateReport | RefreshOutcome | RefreshDispatch;

// ---- outbound ---------------------------------------------------------------------------------------

/** Sent to `input.supervisor`. */
export type RefreshCommand = { type: 'gateway.restart' } | { type: 'gateway.reload' };

/** Emitted for the runtime (`actor.system.get('refresh').on(...)`) and the inspector. */
export type RefreshEmitted =
  | { type: 'refresh.dispatched'; kind: RefreshKind }
  /** A `*.now` request found the same kind in flight and will settle with it. */
  | { type: 'refresh.joined'; kind: RefreshKind }
  | {
      type: 'refresh.settled';
      kind: RefreshKind;
      /** `skipped`: the gateway was stopped or failed when the request fell due; its next start reads the config anyway. */
      outcome: 'completed' | 'failed' | 'skipped';
      reason?: string;
    };
