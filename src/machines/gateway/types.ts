// Types and event names of the gateway lifecycle machine.
//
// Events it hears:
//   from the host:        gateway.start, gateway.stop, and refresh.{restart,reload}.{request,now}, which it
//                         forwards to its `refresh` child (`context.refresh`, systemId `refresh:<key>`),
//                         spawned by the first of them or by refresh.spawn
//   from `refresh`:       gateway.restart, gateway.reload (answered with refresh.completed / refresh.failed)
//   from `process`:       process.spawned, process.spawnFailed, process.exited (ProcessSignal, with epoch)
//   from `connection`:    connection.ready, connection.lost, connection.retrying, connection.paused
// Events it sends:
//   to `process`:         process.terminate, process.reload (SIGUSR2; never SIGUSR1, which is not a reload)
//   to `connection`:      connection.close
//   to `refresh`:         refresh.completed {kind}, refresh.failed {kind, reason}; and, through the
//                         `lifecycleReporter` spawned beside it, gateway.state {value} whenever the lifecycle changes
// Events it emits (actor.on): gateway.dropped, gateway.crashed, gateway.reloadTimedOut.
import type { ActorRefFrom, AnyActorRef } from 'xstate';
import type { ProcessExit, ProcessSignal } from '../../contracts/index.js';
import type { HelloSummary } from '../../protocol/index.js';
import type { ConnectionCommand, ConnectionInput, ConnectionNotice } from '../connection/types.js';
import type { BackoffPolicy } from '../policy/backoff.js';
import type { CrashDecision, CrashPolicy } from '../policy/crash-backoff.js';
import type { ExitClass } from '../policy/exit-codes.js';
import type { refreshMachine } from '../refresh/refresh.machine.js';
import type { GatewayLifecycle, RefreshKind, RefreshRequest, RefreshSettings } from '../refresh/types.js';

export type GatewayMode = 'managed' | 'attach' | 'auto';

export interface GatewayMachineInput {
  /**
   * The instance key (default `default`): scopes the refresh child's system id (`refresh:<key>`) and is
   * what the adapters resolve this instance's spawn options and credentials by. Unique within a system.
   */
  key?: string;
  /** `managed` spawns a gateway, `attach` connects to one at the URL, `auto` adopts one already listening or spawns. */
  mode: GatewayMode;
  /** Where an owned or adopted gateway listens (probed, then waited for). Default 127.0.0.1:18789. */
  host?: string;
  port?: number;
  /** Given to the connection machine, with `key`, `supervisor` (this machine) and `autoOpen: true` added. */
  connection: Omit<ConnectionInput, 'supervisor' | 'autoOpen' | 'key'>;
  crash?: { maxAttempts?: number; stableUptimeMs?: number; backoff?: Partial<BackoffPolicy> };
  /**
   * Owned children only: `maxStalls` stalls of the link (4000 closes: pong or tick timeout) with no stretch
   * of `windowMs` running between them restart the child, which is alive but not serving.
   */
  stalls?: { maxStalls?: number; windowMs?: number };
  /** How long a reload may take to show a new `bootId` before it falls back to a restart. */
  reloadTimeoutMs?: number;
  /**
   * How long to wait for the owned child's exit after `process.terminate` before leaving anyway (the
   * process actor's cleanup then kills it). Default: the SIGTERM grace plus a margin (10 s).
   */
  stopTimeoutMs?: number;
  refresh?: Partial<RefreshSettings>;
  /** [0, 1) like Math.random (the default); pinned by tests. */
  random?: () => number;
}

export interface GatewaySettings {
  key: string;
  endpoint: { host: string; port: number };
  connection: Omit<ConnectionInput, 'supervisor' | 'autoOpen' | 'key'>;
  crash: CrashPolicy;
  stalls: { maxStalls: number; windowMs: number };
  reloadTimeoutMs: number;
  stopTimeoutMs: number;
  refresh: Partial<RefreshSettings>;
  random: () => number;
}

/** The owned child's last exit, as reported by the process actor. */
export interface GatewayExit extends ProcessExit {
  exitClass: ExitClass;
}

/** Codes of `GatewayFailure`; each is also in ErrorCodes (src/errors.ts) or proposed for it. */
export type GatewayFailureCode =
  'PORT_IN_USE' | 'PORT_PROBE_FAILED' | 'SPAWN_FAILED' | 'GATEWAY_NOT_LISTENING' | 'GATEWAY_CRASHED' | 'GATEWAY_CONFIG_INVALID' | 'CONNECTION_PAUSED';

/** Why the machine is in `error`. Plain data: the runtime turns it into a SupervisorError. */
export interface GatewayFailure {
  code: GatewayFailureCode;
  /** `port-in-use`, `probe-failed`, `spawn-failed`, `not-listening`, `crashed`, `config-invalid`, or the pause reason. */
  reason: string;
  message: string;
  exitCode?: number | null;
  signal?: string | null;
  stderrTail?: string[];
  details?: Record<string, unknown>;
}

export interface GatewayContext {
  settings: GatewaySettings;
  mode: GatewayMode;
  /** Bumped by every start, every (re)spawn or attach, and at the end of every stop or failure. */
  epoch: number;
  /** True while this machine spawned the gateway it talks to. */
  owned: boolean;
  pid: number | undefined;
  bootId: string | undefined;
  serverVersion: string | undefined;
  /** Consecutive crashes of the owned child (see policy/crash-backoff.ts). */
  crashCount: number;
  /** Stalls of the link to the owned child since it last ran `stalls.windowMs` without one. */
  stallCount: number;
  /** Restarts of the owned child this supervisor made because its link kept stalling. */
  stallRestarts: number;
  /** The wait chosen for the pending respawn. */
  respawnDelayMs: number;
  /** Doctor already ran in this start attempt: a second exit 78 is final. */
  repairAttempted: boolean;
  /** The refresh the `refresh` child asked for and is waiting on. */
  refreshing: RefreshKind | undefined;
  lastExit: GatewayExit | undefined;
  error: GatewayFailure | undefined;
  /**
   * The refresh child (systemId `refresh:<key>`), spawned by the first restart or reload request (or
   * `refresh.spawn`): a supervisor never asked to refresh pays for no refresh chart.
   */
  refresh: ActorRefFrom<typeof refreshMachine> | undefined;
}

/** What each state means to a host: the lifecycle name, and the sub-state while starting or refreshing. */
export interface GatewayStateMeta {
  lifecycle: GatewayLifecycle;
  phase?: string;
}

/** Commands from the host and from the `refresh` child. */
export type GatewayCommand =
  | { type: 'gateway.start' }
  | { type: 'gateway.stop' }
  | { type: 'gateway.restart' }
  | { type: 'gateway.reload' }
  /** The host gave a new credential: a paused link resumes with it, a live one redials with it. */
  | { type: 'gateway.credentialsChanged' }
  /** Spawn the refresh child now if it is not there yet (before listening to its outcomes). */
  | { type: 'refresh.spawn' };

export type GatewayEvent = GatewayCommand | RefreshRequest | ProcessSignal | ConnectionNotice;

export type GatewayEmitted =
  /** A signal was ignored: from an older epoch (`stale-epoch`), or not expected in the current state. */
  | {
      type: 'gateway.dropped';
      signal: string;
      epoch: number;
      currentEpoch: number;
      reason: 'stale-epoch' | 'unexpected';
    }
  | { type: 'gateway.crashed'; exit: GatewayExit; decision: CrashDecision }
  /** The owned child's link stalled `stalls` times without a stable stretch between: the child is restarted. */
  | { type: 'gateway.stalled'; stalls: number }
  /** No new bootId within `reloadTimeoutMs`: an owned child is restarted instead; an attached gateway is left as is. */
  | { type: 'gateway.reloadTimedOut'; fallback: 'restart' | 'none' };

/** What the `connection` actor is given. */
export type ConnectionActorInput = ConnectionInput & { key: string; supervisor: AnyActorRef; autoOpen: true };

export type { ConnectionCommand, HelloSummary };
