// createGatewaySupervisor: parses options once, builds this gateway's parts (URL, credentials, rpc channel,
// spawn options), and hands the host a small promise API over the gateway machine. That machine is
// provided once per process; this supervisor's actor is built and started on first use. All decisions live
// in the machines. This file only translates between promises/events and the actors.
import { EventEmitter } from 'node:events';
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import {
  credentialsSchema,
  parseOptions,
  parseSupervisorOptions,
  type CredentialsUpdate,
  type GatewaySupervisorOptions,
  type LoggerLike,
} from '../config.js';
import { ConfigError, ErrorCodes, SupervisorError } from '../errors.js';
import { createDefaultLogger, lazyChild } from '../logger.js';
import { gatewaySystemId } from '../machines/gateway/index.js';
import { composeStatus, glanceAt, statusKey, watchGateway, type StatusGlance } from './compose-status.js';
import { failureToError } from './failure-to-error.js';
import { registerGatewayInstance, sharedGatewayMachine } from './gateway-adapters.js';
import { createGatewayInstance } from './gateway-instance.js';
import { refreshOutcome } from './refresh-outcome.js';
import type { SupervisorStatus } from './status.js';
import { validateRequest } from './request-options.js';

export interface GatewayEvent {
  event: string;
  payload: unknown;
  seq: number | undefined;
}

export interface SupervisorEvents {
  /** Every change of the merged status. */
  status: (status: SupervisorStatus) => void;
  /** Every gateway event frame except the handshake's (`tick`, `health`, `sessions.changed`, ...). */
  event: (event: GatewayEvent) => void;
  /** Cleaned output lines of an owned child (ANSI stripped, secrets redacted). */
  output: (line: { stream: 'stdout' | 'stderr'; line: string }) => void;
}

export type GatewaySupervisor = ReturnType<typeof createGatewaySupervisor>;

export type SupervisorInspect = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

type GatewayActor = Actor<ReturnType<typeof sharedGatewayMachine>>;

export function createGatewaySupervisor(options: GatewaySupervisorOptions & { inspect?: SupervisorInspect }) {
  // Anything but an options object (null, 42, 'managed') is refused the way a bad field is.
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError([{ field: '(options)', expected: 'an options object, e.g. { mode: "managed", stateDir }' }], 'options');
  }
  const { inspect, ...rest } = options;
  const config = parseSupervisorOptions(rest);
  const logger: LoggerLike = lazyChild(config.logger ?? defaultLogger(), { component: 'openclaw-supervisor' });
  const emitter = new EventEmitter();
  // A host listener that throws must not break the socket's frame handling or the status bookkeeping
  // that called it: its error is logged, and the other listeners still run.
  const safeEmit = (name: keyof SupervisorEvents, value: unknown) => {
    for (const listener of emitter.listeners(name)) {
      try {
        (listener as (v: unknown) => void)(value);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error), listener: name }, 'a host listener threw');
      }
    }
  };

  const instance = createGatewayInstance(config, logger, {
    onEvent: (event, payload, seq) => safeEmit('event', { event, payload, seq } satisfies GatewayEvent),
    onOutput: (stream, line) => safeEmit('output', { stream, line }),
  });
  const rpc = instance.rpc;

  // The actor system is built on first use: start() builds it once its socket's connect has gone out (see
  // start), so building it adds nothing to the handshake. Until then the supervisor is simply stopped.
  let built: GatewayActor | undefined;
  let unregister = (): void => {};
  let watching: { unsubscribe(): void } | undefined;
  const gateway = (): GatewayActor => {
    if (built !== undefined) return built;
    const actor = (built = createActor(sharedGatewayMachine(), {
      id: 'gateway',
      systemId: gatewaySystemId(instance.key),
      input: instance.input,
      ...(inspect === undefined ? {} : { inspect }),
    }));
    unregister = registerGatewayInstance(actor.system, instance);
    watching = watchGateway(actor, refresh);
    actor.start();
    // Read after dispose(): a stopped actor with the status a never-started supervisor has.
    if (disposed) actor.stop();
    return actor;
  };
  const unbuiltGlance: StatusGlance = {
    state: 'stopped',
    owned: config.mode !== 'attach',
    error: undefined,
    connId: undefined,
    paused: false,
    pauseReason: undefined,
  };

  // The status a host reads is composed on demand: when it is asked for (getStatus(), a method's result)
  // or when someone listens to `status`. The supervisor's own decisions read a glance of the snapshots,
  // so a start with no status listener composes it once, for its result.
  // A status's key is made when the next composition is compared with it, not on the way to a start's result.
  let composed: { gateway: unknown; connection: unknown; status: SupervisorStatus; key?: string } | undefined;
  const currentStatus = (): SupervisorStatus => {
    const snapshot = gateway().getSnapshot();
    const connection = snapshot.children.connection?.getSnapshot();
    if (composed !== undefined && composed.gateway === snapshot && composed.connection === connection) return composed.status;
    const next = composeStatus(snapshot, instance);
    if (composed === undefined) {
      composed = { gateway: snapshot, connection, status: next };
      return next;
    }
    const key = statusKey(next);
    // Same news, same object: a status keeps its identity (and its `at`) until something a host sees changes.
    const same = (composed.key ??= statusKey(composed.status)) === key;
    composed = { gateway: snapshot, connection, status: same ? composed.status : next, key };
    return composed.status;
  };
  const glance = (): StatusGlance => (built === undefined ? unbuiltGlance : glanceAt(built.getSnapshot()));

  // A refusal is an error with a stack: built when the reason to refuse changes, not on every step.
  let refusalReason: string | undefined;
  // A start whose socket opens ahead of the chart (named by its count of stops) holds the refusals until
  // it has told the chart: the steps in between (the actor's first, `stopped`) are not news for requests.
  let refusalsHeldBy: number | undefined;
  const refuseFor = (g: StatusGlance) => {
    if (refusalsHeldBy !== undefined) return;
    const reason = refusalReasonOf(g);
    if (reason === refusalReason) return;
    refusalReason = reason;
    rpc.refuse(refusalFor(g));
  };
  // While the socket opens ahead of the chart the supervisor is as good as starting: requests wait.
  const holdRefusals = (holder: number) => {
    refusalsHeldBy = holder;
    refusalReason = undefined;
    rpc.refuse(null);
  };
  // Then requests are refused as the chart says (those made meanwhile too, if it is still stopped).
  const releaseRefusals = (holder: number) => {
    if (refusalsHeldBy !== holder) return;
    refusalsHeldBy = undefined;
    refuseFor(glance());
  };
  let lastEmitted: SupervisorStatus | undefined;
  // What start(), stop() and setCredentials() wait on: checked at every step, before the promise settles.
  const waiters = new Set<(g: StatusGlance) => void>();
  // Both watched actors notify on every step; a step is only news when a snapshot changed.
  let seen: [unknown, unknown] = [undefined, undefined];
  const refresh = () => {
    const snapshot = gateway().getSnapshot();
    const connection = snapshot.children.connection?.getSnapshot();
    if (seen[0] === snapshot && seen[1] === connection) return;
    seen = [snapshot, connection];
    const g = glanceAt(snapshot);
    refuseFor(g);
    if (emitter.listenerCount('status') > 0) {
      // Compared with what listeners last got, not with the last composition: a getStatus() from a host's
      // inspect callback may already have composed this step's status.
      const next = currentStatus();
      if (next !== lastEmitted) {
        lastEmitted = next;
        safeEmit('status', next);
      }
    }
    for (const waiter of [...waiters]) waiter(g);
  };
  refuseFor(glance());

  const waitFor = (accept: (g: StatusGlance) => boolean | Error): Promise<SupervisorStatus> =>
    new Promise((resolve, reject) => {
      const check = (g: StatusGlance) => {
        const verdict = accept(g);
        if (verdict === false) return;
        waiters.delete(check);
        if (verdict instanceof Error) reject(verdict);
        else resolve(currentStatus());
      };
      waiters.add(check);
      check(glance());
    });

  let disposed = false;
  let stops = 0;

  return {
    /**
     * The root actor (`systemId: 'gateway:<name>'`), for inspection and `useSelector`. Its children are
     * reached through it: `actor.getSnapshot().context.refresh`, `.children.connection`.
     */
    get actor(): GatewayActor {
      return gateway();
    },

    /** Resolves at `hello-ok` (state `running`); rejects with a typed error if the start fails or is superseded. */
    async start(): Promise<SupervisorStatus> {
      if (disposed) throw new SupervisorError(ErrorCodes.STOPPED, 'start: the supervisor was disposed');
      if (glance().state === 'running') return currentStatus();
      // A stop() after this call supersedes it, also while it waits below, before the chart is told.
      const stopsAtCall = stops;
      const superseded = (): SupervisorError | undefined => {
        if (disposed) return new SupervisorError(ErrorCodes.STOPPED, 'start: the supervisor was disposed');
        if (stops !== stopsAtCall) return new SupervisorError(ErrorCodes.START_SUPERSEDED, 'start: superseded by stop()', { retryable: true });
        return undefined;
      };
      // A start during a stop waits for the stop to finish instead of being swallowed by it.
      if (glance().state === 'stopping') await waitFor((s) => s.state !== 'stopping');
      await instance.prepare();
      if (config.mode === 'attach' && glance().state === 'stopped') {
        // From here the chart opens a socket at once: open it now, and let its connect go out while the
        // charts are built and started (before it, their time would add to the handshake).
        instance.preopenSocket();
        holdRefusals(stopsAtCall);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const refused = superseded();
      if (refused !== undefined) {
        instance.dropPreopenedSocket();
        releaseRefusals(stopsAtCall);
        throw refused;
      }
      const actor = gateway();
      const state = glance().state;
      if (state === 'stopped' || state === 'error') actor.send({ type: 'gateway.start' });
      // The socket actor took it as the chart started; one left means the chart went elsewhere.
      instance.dropPreopenedSocket();
      releaseRefusals(stopsAtCall);
      // Settles on the first outcome of this start: running, error, or a stop that came first.
      return waitFor((s) => {
        if (s.state === 'running') return true;
        if (s.state === 'error') return failureToError(s.error, 'start');
        if (s.state === 'stopped') return new SupervisorError(ErrorCodes.START_SUPERSEDED, 'start: superseded by stop()', { retryable: true });
        return false;
      });
    },

    /** Resolves once stopped: the owned child and its broker have exited, the socket is closed. */
    async stop(): Promise<void> {
      stops += 1;
      // With the start it supersedes goes the socket that start opened ahead of the chart.
      instance.dropPreopenedSocket();
      if (glance().state !== 'stopped') {
        gateway().send({ type: 'gateway.stop' });
        await waitFor((s) => s.state === 'stopped');
      }
      // The connection's close frame is sent as the chart stops; its answer (or the grace) ends the socket.
      await instance.socketsClosed();
    },

    /**
     * Restart now (joins a restart already in flight); resolves when the gateway is running again. A
     * stopped or failed supervisor is simply started: a restart of nothing is a start.
     */
    async restart(): Promise<void> {
      const state = glance().state;
      if (state === 'stopped' || state === 'error') {
        await this.start();
        return;
      }
      const actor = gateway();
      return refreshOutcome(actor, 'restart', () => actor.send({ type: 'refresh.restart.now' }));
    },

    /** Apply config in place (SIGUSR2 or `gateway.restart.request`), verified by a new bootId. */
    reload(): Promise<void> {
      const actor = gateway();
      return refreshOutcome(actor, 'reload', () => actor.send({ type: 'refresh.reload.now' }));
    },

    /** Debounced (2 s) restart: bursts coalesce into one; deferred while starting. */
    requestRestart(): void {
      gateway().send({ type: 'refresh.restart.request' });
    },

    /** Debounced (1.2 s) reload. */
    requestReload(): void {
      gateway().send({ type: 'refresh.reload.request' });
    },

    /**
     * One RPC. Waits for the connection (within its deadline) while starting or reconnecting; settles with
     * the result, a GatewayRequestError, or REQUEST_TIMEOUT / CONNECTION_CLOSED / CONNECTION_PAUSED / STOPPED.
     */
    request<T = unknown>(method: string, params?: unknown, opts?: { timeoutMs?: number }): Promise<T> {
      const invalid = validateRequest(method, opts);
      if (invalid) return Promise.reject(invalid);
      return rpc.request(method, params, opts) as Promise<T>;
    },

    /**
     * Give the supervisor a new credential (`{ token?, device? }`), without building a new one: a link
     * paused on a refused credential resumes with it, a live link redials with it. An owned child learns a
     * new token only when spawned, so it is restarted. Resolves once running on the new credential (at
     * once when stopped: the next start uses it); rejects with the typed error if it is refused again.
     */
    async setCredentials(next: CredentialsUpdate): Promise<SupervisorStatus> {
      if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        throw new ConfigError([{ field: '(credentials)', expected: 'an object with a token and/or a device' }], 'setCredentials');
      }
      if (disposed) throw new SupervisorError(ErrorCodes.STOPPED, 'setCredentials: the supervisor was disposed');
      const parsed = parseOptions(credentialsSchema, next, 'setCredentials');
      instance.setCredentials(parsed);
      const now = glance();
      if (now.state === 'stopped' || now.state === 'stopping') return currentStatus();
      if (now.owned && parsed.token !== undefined) {
        if (now.state === 'running' || now.state === 'reconnecting') await this.restart();
        else {
          await this.stop();
          await this.start();
        }
        return currentStatus();
      }
      const before = now.connId;
      let leftError = now.state !== 'error';
      gateway().send({ type: 'gateway.credentialsChanged' });
      return waitFor((s) => {
        if (s.state !== 'error') leftError = true;
        if (s.state === 'running') return s.connId !== before;
        if (s.state === 'error' && leftError) return failureToError(s.error, 'setCredentials');
        if (s.state === 'stopped') return new SupervisorError(ErrorCodes.START_SUPERSEDED, 'setCredentials: superseded by stop()', { retryable: true });
        return false;
      });
    },

    getStatus(): SupervisorStatus {
      return currentStatus();
    },

    /** Subscribe; returns the unsubscribe function. */
    on<K extends keyof SupervisorEvents>(event: K, fn: SupervisorEvents[K]): () => void {
      emitter.on(event, fn);
      return () => emitter.off(event, fn);
    },

    /** Stop, then release the actor: every later call rejects with STOPPED. */
    async dispose(): Promise<void> {
      if (disposed) return;
      await this.stop();
      disposed = true;
      rpc.close(() => new SupervisorError(ErrorCodes.STOPPED, 'the supervisor was disposed'));
      watching?.unsubscribe();
      built?.stop();
      unregister();
      emitter.removeAllListeners();
    },
  };
}

// pino compiles its redaction paths when a logger is built: a few ms that every supervisor created without
// a logger would pay in its handshake. One default logger serves them all.
let sharedDefaultLogger: LoggerLike | undefined;
function defaultLogger(): LoggerLike {
  sharedDefaultLogger ??= createDefaultLogger();
  return sharedDefaultLogger;
}

/** What a refusal would say, as a key: equal keys refuse alike. */
function refusalReasonOf(g: StatusGlance): string | undefined {
  if (g.state === 'stopped') return 'stopped';
  if (g.state === 'error') return `error ${JSON.stringify(g.error)}`;
  if (g.paused) return `paused ${g.pauseReason ?? ''}`;
  return undefined;
}

/** How to build the refusal (only once a request is refused: a stopped supervisor is rarely asked). */
function refusalFor(g: StatusGlance): (() => SupervisorError) | null {
  if (g.state === 'stopped') return () => new SupervisorError(ErrorCodes.STOPPED, 'request: the gateway supervisor is stopped');
  if (g.state === 'error') {
    const failure = g.error;
    return () => failureToError(failure, 'request');
  }
  if (g.paused) {
    const reason = g.pauseReason;
    return () =>
      new SupervisorError(ErrorCodes.CONNECTION_PAUSED, `request: the connection is paused (${reason ?? 'refused'})`, {
        details: { reason },
      });
  }
  return null;
}
