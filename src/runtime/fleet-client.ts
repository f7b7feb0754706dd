// createFleetClient: a live, persisted view of one gateway for a dashboard backend. The path (WebSocket
// primary, HTTP polling fallback) is the dual-path statechart; this runtime provides its actors (the socket,
// the sync after each hello-ok, the HTTP poll), turns what the gateway says into changes, and keeps the one
// rule that matters: every change is written to the store, in a committed transaction, before any
// subscriber hears of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createActor, fromPromise, type Actor } from 'xstate';
import { fetchReadiness, httpOriginOf, invokeSessionsList, type FleetHttpDeps } from '../adapters/http/fleet-http.js';
import { openSqliteStore, type FleetChange, type FleetStore, type FleetView, type JournalEntry } from '../adapters/store/index.js';
import { createGatewaySocketLogic, createRpcChannel } from '../adapters/websocket/index.js';
import { parseOptions } from '../config.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { defaults } from '../machines/defaults.js';
import {
  createDualPathImplementations,
  dualPathMachine,
  fleetSystemId,
  selectDualPathStatus,
  type DualPathMachine,
  type DualPathStatusView,
} from '../machines/dual-path/index.js';
import { backoffDelayMs } from '../machines/policy/index.js';
import { eventChanges, rosterChanges, singleChange } from './fleet-changes.js';
import { fleetClientSchema, type FleetClientOptions } from './fleet-client-options.js';
import { createFleetPipeline, type FleetPipeline } from './fleet-pipeline.js';
import { writeSse } from './fleet-sse.js';

export type { FleetClientOptions } from './fleet-client-options.js';
export type { FleetChange, FleetStore, FleetView, JournalEntry } from '../adapters/store/index.js';

/** What a subscriber hears: the view once on subscribe, then every persisted change in order. */
export type FleetMessage = { type: 'snapshot'; seq: number; view: FleetView } | { type: 'delta'; entry: JournalEntry };

export type FleetSubscriber = (message: FleetMessage) => void;

export interface FleetClientStatus extends DualPathStatusView {
  store: { state: 'ok' | 'failed' | 'closed'; lastSeq: number; error?: { code: string; message: string; reason?: unknown } };
}

export interface FleetClient {
  /** Opens the store (typed STORE_FAILED when it cannot) and starts the path; resolves at once. */
  start(): Promise<void>;
  /** Stops the socket and the poller, persists what is queued, closes the store. */
  stop(): Promise<void>;
  status(): FleetClientStatus;
  /** The last persisted view. */
  view(): FleetView;
  subscribe(subscriber: FleetSubscriber): () => void;
  /** An SSE endpoint for `node:http`: snapshot or `Last-Event-ID` replay from the journal, then live deltas. */
  sse(req: IncomingMessage, res: ServerResponse): void;
  /** A request over the socket (queued until it is ready). */
  request(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  readonly actor: Actor<DualPathMachine>;
}

/** Live events that carry nothing for a fleet view. */
const SKIPPED_EVENTS = new Set(['tick']);

export function createFleetClient(options: FleetClientOptions): FleetClient {
  const config = parseOptions(fleetClientSchema, options, 'fleet client options');
  const logger = (config.logger ?? silentLogger).child({ component: 'fleet', fleet: config.name });
  const key = config.name;
  const busyRetry = defaults.requests.busyRetry;
  const rpc = createRpcChannel({
    maxInFlight: defaults.requests.maxInFlight,
    defaultTimeoutMs: config.requestTimeoutMs,
    busyRetryDelayMs: (attempt) => backoffDelayMs(attempt, busyRetry, Math.random),
  });
  const http: FleetHttpDeps = { baseUrl: config.httpUrl === undefined ? httpOriginOf(config.url) : new URL(config.httpUrl).origin, token: config.token, timeoutMs: config.httpTimeoutMs };
  const subscribers = new Set<FleetSubscriber>();
  /** Open SSE responses, ended by stop() so no socket outlives the client. */
  const streams = new Set<ServerResponse>();
  let store: FleetStore | undefined;
  let storeState: FleetClientStatus['store']['state'] = 'closed';
  let storeError: SupervisorError | undefined;
  let connId: string | undefined;
  let pipeline: FleetPipeline | undefined;
  let sessionsRefresh: Promise<void> | undefined;

  const socket = createGatewaySocketLogic(() => ({
    url: config.url,
    credentials: () => (config.token === undefined ? {} : { token: config.token }),
    client: config.client,
    scopes: config.scopes,
    rpc,
    onHello: (hello) => {
      connId = hello.server.connId;
    },
    onEvent: (event, payload, seq) => {
      if (SKIPPED_EVENTS.has(event)) return;
      ingest(eventChanges(event, payload, seq, connId));
      if (event === 'sessions.changed') refreshSessions();
    },
    logger: logger.child({ component: 'socket' }),
  }));

  const machine = dualPathMachine.provide(
    createDualPathImplementations({
      socket,
      initialSync: fromPromise(async () => {
        const [agents, sessions, health] = await Promise.all([
          rpc.request('agents.list', {}),
          rpc.request('sessions.list', {}),
          rpc.request('health', {}),
        ]);
        persistRoster('agent', listOf(agents, 'agents', 'id'));
        persistRoster('session', listOf(sessions, 'sessions', 'key'));
        persistNow(singleChange('gateway', 'health', health, currentView()));
      }),
      httpPoll: fromPromise(async () => {
        const readiness = await fetchReadiness(http);
        const { eventLoop: _volatile, uptimeMs: _uptime, ...stable } = readiness.body;
        persistNow(singleChange('gateway', 'ready', { ready: readiness.ready, status: readiness.status, ...stable }, currentView()));
        const sessions = await invokeSessionsList(http);
        persistRoster(
          'session',
          sessions.map((s) => ({ id: s.key, data: s })),
        );
      }),
    }),
  );

  const actor = createActor(machine, {
    id: fleetSystemId(config.name),
    systemId: fleetSystemId(config.name),
    input: {
      key,
      url: config.url,
      wsReadyTimeoutMs: config.wsReadyTimeoutMs,
      pollIntervalMs: config.pollIntervalMs,
      lossGraceMs: config.lossGraceMs,
      reconnect: config.reconnect,
      challengeTimeoutMs: config.challengeTimeoutMs,
    },
    ...(config.inspect === undefined ? {} : { inspect: config.inspect as never }),
  });
  actor.on('fleet.path', (e) => logger.info({ path: e.path }, 'fleet path'));
  actor.on('fleet.pollFailed', (e) => logger.warn({ failure: e.failure }, 'fleet HTTP poll failed'));
  actor.on('fleet.syncFailed', (e) => logger.warn({ failure: e.failure }, 'fleet sync failed'));

  function currentView(): FleetView {
    return store?.view() ?? {};
  }

  function persistRoster(kind: string, rows: Array<{ id: string; data: unknown }>): void {
    persistNow(rosterChanges(kind, rows, currentView()));
  }

  /** Live events are batched: many per transaction, flushed on the next macrotask, order kept. */
  function ingest(changes: FleetChange[]): void {
    pipeline?.ingest(changes);
  }

  /** Persist, then broadcast: subscribers hear only what a committed transaction holds. */
  function persistNow(changes: FleetChange[]): void {
    pipeline?.persistNow(changes);
  }

  function broadcast(message: FleetMessage): void {
    for (const subscriber of subscribers) {
      try {
        subscriber(message);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'a fleet subscriber threw');
      }
    }
  }

  function refreshSessions(): void {
    if (sessionsRefresh !== undefined) return;
    sessionsRefresh = rpc
      .request('sessions.list', {})
      .then((sessions) => persistRoster('session', listOf(sessions, 'sessions', 'key')))
      .catch((error: unknown) => logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'sessions refresh failed'))
      .finally(() => {
        sessionsRefresh = undefined;
      });
  }

  function subscribe(subscriber: FleetSubscriber): () => void {
    subscriber({ type: 'snapshot', seq: store?.lastSeq() ?? 0, view: currentView() });
    subscribers.add(subscriber);
    return () => subscribers.delete(subscriber);
  }

  return {
    async start() {
      if (store !== undefined) return;
      // A bad file fails here, typed, before any socket opens.
      store = config.store ?? openSqliteStore({ path: config.storePath!, journalLimit: config.journalLimit });
      storeState = 'ok';
      pipeline = createFleetPipeline({
        store,
        maxBatch: config.maxBatch,
        onEntries: (entries) => {
          for (const entry of entries) broadcast({ type: 'delta', entry });
        },
        onFailure: (error) => {
          storeState = 'failed';
          storeError = error;
          logger.error({ err: error.message, reason: error.details.reason }, 'fleet store failed; nothing more is broadcast');
        },
      });
      actor.start();
    },
    async stop() {
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'fleet.stop' });
      actor.stop();
      pipeline?.flush();
      rpc.close(new SupervisorError(ErrorCodes.STOPPED, 'the fleet client was stopped'));
      await sessionsRefresh;
      subscribers.clear();
      for (const res of streams) res.end();
      streams.clear();
      store?.close();
      storeState = 'closed';
    },
    status() {
      const path = selectDualPathStatus(actor.getSnapshot());
      return {
        ...path,
        store: {
          state: storeState,
          lastSeq: storeState === 'ok' ? (store?.lastSeq() ?? 0) : 0,
          ...(storeError === undefined ? {} : { error: { code: storeError.code, message: storeError.message, reason: storeError.details.reason } }),
        },
      };
    },
    view: currentView,
    subscribe,
    sse(req, res) {
      streams.add(res);
      res.on('close', () => streams.delete(res));
      writeSse(req, res, {
        store: () => store,
        subscribe: (fn) => {
          subscribers.add(fn);
          return () => subscribers.delete(fn);
        },
        view: currentView,
      });
    },
    request: (method, params, requestOptions) => rpc.request(method, params, requestOptions),
    actor,
  };
}

/** `{ agents: [{ id, ... }] }` -> rows by id; anything else is no rows (the sync records what it got). */
function listOf(result: unknown, field: string, idField: string): Array<{ id: string; data: unknown }> {
  const list = typeof result === 'object' && result !== null ? (result as Record<string, unknown>)[field] : undefined;
  if (!Array.isArray(list)) {
    throw new SupervisorError(ErrorCodes.PROTOCOL_ERROR, `expected a ${field} list in the gateway's answer`, { details: { field } });
  }
  const rows: Array<{ id: string; data: unknown }> = [];
  for (const item of list) {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[idField] : undefined;
    if (typeof id === 'string') rows.push({ id, data: item });
  }
  return rows;
}
