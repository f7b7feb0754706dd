// The one place that joins machines and adapters: builds every adapter from the parsed config and
// provides it to the gateway machine (which invokes the connection and refresh machines).
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { AnyActorRef } from 'xstate';
import { fromPromise } from 'xstate';
import { probePort } from '../adapters/http/probe-port.js';
import { waitForListening } from '../adapters/http/wait-listening.js';
import { runDoctorRepair } from '../adapters/process/doctor.js';
import { createGatewayProcessLogic, type GatewayProcessDeps } from '../adapters/process/gateway-process.js';
import { resolveNodeRuntime, resolveOpenclawEntry } from '../adapters/process/resolve-runtime.js';
import { createGatewaySocketLogic, createRpcChannel, loadOrCreateDeviceIdentity, type DeviceIdentity, type RpcChannel } from '../adapters/websocket/index.js';
import type { GatewaySupervisorConfig, LoggerLike } from '../config.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { connectionMachine } from '../machines/connection/index.js';
import { gatewayMachine, type GatewayMachineInput } from '../machines/gateway/index.js';
import type { RefreshEmitted, RefreshKind } from '../machines/refresh/index.js';

export interface WiringHooks {
  onEvent: (event: string, payload: unknown, seq: number | undefined) => void;
  onOutput: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface SupervisorWiring {
  machine: ReturnType<typeof buildMachine>;
  input: GatewayMachineInput;
  rpc: RpcChannel;
  url: string;
  /** Resolves what a start needs (Node runtime and openclaw entry, device identity); typed errors. */
  prepare(): Promise<void>;
  /** Triggers a restart or reload and settles with the refresh machine's outcome for that kind. */
  refreshOutcome(actor: AnyActorRef, kind: RefreshKind, trigger: () => void): Promise<void>;
}

export function buildGatewayLogic(config: GatewaySupervisorConfig, logger: LoggerLike, hooks: WiringHooks): SupervisorWiring {
  const host = config.host;
  const url = config.url ?? `ws://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  // A spawned gateway gets a fresh random token unless the host chose one; it is never logged.
  const token = config.token ?? (config.mode === 'attach' ? undefined : randomBytes(24).toString('base64url'));
  let deviceIdentity: DeviceIdentity | undefined;

  const rpc = createRpcChannel({ maxInFlight: config.maxInFlight, defaultTimeoutMs: config.requestTimeoutMs });

  const socket = createGatewaySocketLogic({
    url,
    credentials: () => ({ ...(token === undefined ? {} : { token }), ...(deviceIdentity ? { deviceIdentity } : {}) }),
    client: config.client,
    scopes: config.scopes,
    rpc,
    onEvent: hooks.onEvent,
    logger: logger.child({ component: 'socket' }),
  });

  // Filled by prepare() before every start; the process actor reads it when it spawns.
  const spawnDeps: GatewayProcessDeps = {
    nodePath: '',
    entry: '',
    port: config.port,
    token: token ?? '',
    stateDir: config.stateDir ?? '',
    bind: 'loopback',
    dev: config.dev,
    skipChannels: config.skipChannels,
    graceMs: config.stopGraceMs,
    ...(config.env === undefined ? {} : { env: config.env }),
    logger: logger.child({ component: 'process' }),
    onOutput: hooks.onOutput,
  };

  const machine = buildMachine({
    socket,
    process: createGatewayProcessLogic(spawnDeps),
    probe: () => probePort({ host, port: config.port }),
    waitListening: (signal) => waitForListening({ host, port: config.port, signal }),
    doctor: async (signal) => {
      const result = await runDoctorRepair({
        nodePath: spawnDeps.nodePath,
        entry: spawnDeps.entry,
        stateDir: spawnDeps.stateDir,
        skipChannels: config.skipChannels,
        ...(config.env === undefined ? {} : { env: config.env }),
        signal,
        secrets: [token],
      });
      logger.info({ exitCode: result.exitCode, outcome: result.outcome }, 'doctor repair finished');
      return { exitCode: result.exitCode ?? -1 };
    },
    inPlaceRestart: async () => {
      await rpc.request('gateway.restart.request', { reason: 'openclaw-supervisor reload' }, { timeoutMs: 10_000 });
    },
  });

  const input: GatewayMachineInput = {
    mode: config.mode,
    connection: { url, reconnect: config.reconnect },
    crash: { maxAttempts: config.crash.maxAttempts, stableUptimeMs: config.crash.stableUptimeMs, backoff: config.reconnect },
    reloadTimeoutMs: config.reloadTimeoutMs,
    // Above the SIGTERM grace so the adapter's own SIGKILL and reaping finish first.
    stopTimeoutMs: config.stopGraceMs + 5_000,
    refresh: {
      restartDebounceMs: config.restartDebounceMs,
      reloadDebounceMs: config.reloadDebounceMs,
      restartCooldownMs: config.restartCooldownMs,
    },
  };

  return {
    machine,
    input,
    rpc,
    url,
    async prepare() {
      if (config.device && !deviceIdentity) {
        try {
          deviceIdentity = loadOrCreateDeviceIdentity(config.device.identityPath);
        } catch (error) {
          throw new SupervisorError(ErrorCodes.CONFIG_INVALID, 'device.identityPath: a readable and writable identity file', {
            details: { field: 'device.identityPath' },
            cause: error,
          });
        }
      }
      if (config.mode === 'attach') return;
      const resolveFrom = config.resolveFrom;
      const runtime = await resolveNodeRuntime({
        ...(config.nodePath === undefined ? {} : { nodePath: config.nodePath }),
        ...(resolveFrom === undefined ? {} : { resolveFrom }),
      });
      const entry = resolveOpenclawEntry({
        ...(config.openclawEntry === undefined ? {} : { openclawEntry: config.openclawEntry }),
        ...(resolveFrom === undefined ? {} : { resolveFrom }),
      });
      // Absolute: the child runs with its state dir as working directory.
      spawnDeps.nodePath = resolvePath(runtime.path);
      spawnDeps.entry = resolvePath(entry.entry);
      logger.info({ node: runtime.version, nodeSource: runtime.source, openclaw: entry.version }, 'gateway runtime resolved');
    },
    refreshOutcome(actor, kind, trigger) {
      const refresh = actor.system.get('refresh') as AnyActorRef | undefined;
      if (!refresh) return Promise.reject(new SupervisorError(ErrorCodes.STOPPED, `${kind}: the supervisor is not running`));
      return new Promise<void>((resolve, reject) => {
        const sub = refresh.on('refresh.settled', (event: RefreshEmitted) => {
          if (event.type !== 'refresh.settled' || event.kind !== kind) return;
          sub.unsubscribe();
          if (event.outcome === 'completed') resolve();
          else reject(new SupervisorError(event.outcome === 'skipped' ? ErrorCodes.STOPPED : ErrorCodes.REFRESH_FAILED, `${kind}: ${event.reason ?? event.outcome}`, {
            details: { outcome: event.outcome, ...(event.reason === undefined ? {} : { reason: event.reason }) },
          }));
        });
        trigger();
      });
    },
  };
}

interface MachineParts {
  socket: ReturnType<typeof createGatewaySocketLogic>;
  process: ReturnType<typeof createGatewayProcessLogic>;
  probe: () => ReturnType<typeof probePort>;
  waitListening: (signal: AbortSignal) => Promise<void>;
  doctor: (signal: AbortSignal) => Promise<{ exitCode: number }>;
  inPlaceRestart: () => Promise<void>;
}

type GatewayActors = Parameters<typeof gatewayMachine.provide>[0]['actors'] & {};

function buildMachine(parts: MachineParts) {
  return gatewayMachine.provide({
    actors: {
      // The gateway machine declares its child connection as an opaque placeholder (machines do not import
      // each other's internals); the real one is the connection machine with the socket adapter provided.
      connection: connectionMachine.provide({ actors: { gatewaySocket: parts.socket } }) as unknown as GatewayActors['connection'],
      gatewayProcess: parts.process as unknown as GatewayActors['gatewayProcess'],
      probePort: fromPromise(() => parts.probe()),
      waitListening: fromPromise(({ signal }) => parts.waitListening(signal)),
      doctor: fromPromise(({ signal }) => parts.doctor(signal)),
      requestInPlaceRestart: fromPromise(() => parts.inPlaceRestart()),
    },
  });
}
