// One supervised gateway's own parts, built from its parsed options: its instance key, URL, credentials,
// request channel and spawn options. The shared adapters (gateway-adapters.ts) look these up by the key the
// gateway machine hands every actor, so the token stays here and never enters a machine's context.
import { randomBytes } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { GatewayProcessDeps } from '../adapters/process/gateway-process.js';
import { readStateDirToken } from '../adapters/process/embedding-env.js';
import { resolveNodeRuntime, resolveOpenclawEntry } from '../adapters/process/resolve-runtime.js';
import {
  createRpcChannel,
  loadOrCreateDeviceIdentity,
  preopenGatewaySocket,
  type DeviceIdentity,
  type GatewaySocketDeps,
  type PreopenedGatewaySocket,
  type RpcChannel,
  type SocketCredentials,
} from '../adapters/websocket/index.js';
import type { CredentialsUpdate, GatewaySupervisorConfig, LoggerLike } from '../config.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { lazyChild } from '../logger.js';
import { defaults } from '../machines/defaults.js';
import type { GatewayMachineInput } from '../machines/gateway/index.js';
import { backoffDelayMs } from '../machines/policy/index.js';

export interface GatewayInstanceHooks {
  onEvent: (event: string, payload: unknown, seq: number | undefined) => void;
  onOutput: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface GatewayInstance {
  /** The instance key: the machine's `input.key`, and the root actor's systemId is `gateway:<key>`. */
  readonly key: string;
  readonly config: GatewaySupervisorConfig;
  readonly url: string;
  readonly rpc: RpcChannel;
  readonly logger: LoggerLike;
  /** What this gateway's socket to `url` is built with; the shared socket logic asks for every socket. */
  socketDeps(url: string): GatewaySocketDeps;
  /**
   * Opens the socket a start from `stopped` in attach mode is about to ask for, so its TCP connect and
   * upgrade go out while the charts are still starting (the gateway takes longer to answer than they take).
   */
  preopenSocket(): void;
  /** The pre-opened socket to `url`, once: the socket actor adopts it instead of opening its own. */
  takePreopenedSocket(url: string): PreopenedGatewaySocket | undefined;
  /** Closes a pre-opened socket no actor took (the start went elsewhere, or was given up). */
  dropPreopenedSocket(): void;
  /** Replaces the token and/or the device identity; the next challenge (and the next spawn) uses them. */
  setCredentials(next: CredentialsUpdate): void;
  /** The owned child's spawn options; complete once prepare() resolved. */
  readonly spawn: GatewayProcessDeps;
  /** What the gateway machine is started with. */
  readonly input: GatewayMachineInput;
  /** Resolves what a start needs (Node runtime and openclaw entry, device identity), with typed errors. */
  prepare(): Promise<void>;
  /** Resolves once every socket this instance let go of (its `onEnding`) has closed. */
  socketsClosed(): Promise<void>;
}

export function createGatewayInstance(
  config: GatewaySupervisorConfig,
  logger: LoggerLike,
  hooks: GatewayInstanceHooks,
): GatewayInstance {
  const host = config.host;
  const url = config.url ?? `ws://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  // A spawned gateway gets a fresh random token unless the host chose one; it is never logged.
  // Held here, by key, never in a machine: setCredentials() replaces them and the socket reads them at
  // its next challenge.
  let token = config.token ?? (config.mode === 'attach' ? undefined : randomBytes(24).toString('base64url'));
  // A generated token gives way, at the first prepare(), to one a previous run kept in the state dir.
  let tokenGenerated = config.token === undefined && config.mode !== 'attach';
  let device = config.device;
  let deviceIdentity: DeviceIdentity | undefined;
  const loadIdentity = (identityPath: string): DeviceIdentity => {
    try {
      return loadOrCreateDeviceIdentity(identityPath);
    } catch (error) {
      throw new SupervisorError(ErrorCodes.CONFIG_INVALID, 'device.identityPath: a readable and writable identity file', {
        details: { field: 'device.identityPath' },
        cause: error,
      });
    }
  };
  // The rpc channel retries the gateway's busy answers on the shared backoff curve.
  const busyRetry = defaults.requests.busyRetry;
  const rpc = createRpcChannel({
    maxInFlight: config.maxInFlight,
    defaultTimeoutMs: config.requestTimeoutMs,
    busyRetryDelayMs: (attempt) => backoffDelayMs(attempt, busyRetry, Math.random),
  });

  // Filled by prepare() before every start; the process actor reads it when it spawns.
  const spawn: GatewayProcessDeps = {
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
    logger: lazyChild(logger, { component: 'process' }),
    onOutput: hooks.onOutput,
  };

  const input: GatewayMachineInput = {
    key: config.name,
    mode: config.mode,
    host,
    port: config.port,
    connection: {
      url,
      reconnect: config.reconnect,
      pingIntervalMs: config.liveness.pingIntervalMs,
      pongTimeoutMs: config.liveness.pongTimeoutMs,
    },
    stalls: { maxStalls: config.liveness.maxStalls, windowMs: config.liveness.stallWindowMs },
    crash: { maxAttempts: config.crash.maxAttempts, stableUptimeMs: config.crash.stableUptimeMs, backoff: config.reconnect },
    reloadTimeoutMs: config.reloadTimeoutMs,
    stopTimeoutMs: config.stopGraceMs + defaults.stopMarginMs,
    refresh: {
      restartDebounceMs: config.restartDebounceMs,
      reloadDebounceMs: config.reloadDebounceMs,
      restartCooldownMs: config.restartCooldownMs,
    },
  };

  const ending = new Set<Promise<void>>();
  const trackEnding = (ended: Promise<void>) => {
    ending.add(ended);
    void ended.finally(() => ending.delete(ended));
  };
  // The socket's own child logger, made once per instance rather than per socket.
  const socketLogger = lazyChild(logger, { component: 'socket' });
  // Read by the socket at every challenge: a device token stored since the last one is used.
  const credentials = (): SocketCredentials => ({ ...(token === undefined ? {} : { token }), ...(deviceIdentity ? { deviceIdentity } : {}) });
  const socketDeps = (socketUrl: string): GatewaySocketDeps => ({
    url: socketUrl,
    credentials,
    client: config.client,
    scopes: config.scopes,
    rpc,
    onEvent: hooks.onEvent,
    onEnding: trackEnding,
    logger: socketLogger,
  });
  let preopened: PreopenedGatewaySocket | undefined;

  return {
    socketsClosed: () => (ending.size === 0 ? Promise.resolve() : Promise.all(ending).then(() => undefined)),
    key: config.name,
    config,
    url,
    rpc,
    logger,
    spawn,
    input,
    socketDeps,
    preopenSocket() {
      // Two starts in one tick share one socket: the chart takes only one.
      preopened ??= preopenGatewaySocket(socketDeps(url));
    },
    takePreopenedSocket(socketUrl) {
      if (preopened?.url !== socketUrl) return undefined;
      const taken = preopened;
      preopened = undefined;
      return taken;
    },
    dropPreopenedSocket() {
      preopened?.dispose();
      preopened = undefined;
    },
    setCredentials(next) {
      // Load first: a bad identity file changes nothing.
      const identity = next.device === undefined ? deviceIdentity : loadIdentity(next.device.identityPath);
      if (next.device !== undefined) {
        device = next.device;
        deviceIdentity = identity;
      }
      if (next.token !== undefined) {
        tokenGenerated = false;
        token = next.token;
        spawn.token = next.token;
      }
    },
    async prepare() {
      if (device && !deviceIdentity) deviceIdentity = loadIdentity(device.identityPath);
      if (config.mode === 'attach') return;
      if (tokenGenerated && config.stateDir !== undefined) {
        tokenGenerated = false;
        const kept = await readStateDirToken(config.stateDir);
        if (kept !== undefined) {
          token = kept;
          spawn.token = kept;
        }
      }
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
      spawn.nodePath = resolvePath(runtime.path);
      spawn.entry = resolvePath(entry.entry);
      logger.info({ node: runtime.version, nodeSource: runtime.source, openclaw: entry.version }, 'gateway runtime resolved');
    },
  };
}
