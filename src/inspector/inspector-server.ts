// The live inspector: a loopback HTTP server that serves a self-contained page (no internet, no CDN)
// and streams inspection records over Server-Sent Events. It attaches to running actor systems with
// `actor.system.inspect()`, so it can be started after the supervisor, and detaches on close.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyActorRef, AnyStateMachine, InspectionEvent, Subscription } from 'xstate';
import { ConfigError } from '../errors.js';
import { toInspectionRecord, sanitize, type InspectionRecord } from './inspection-record.js';
import { describeMachine, type StateGraphNode } from './machine-graph.js';
import { INSPECTOR_PAGE } from './page.js';

export interface InspectorOptions {
  /** Root actors to inspect; every actor of their systems is shown. */
  actors: AnyActorRef[];
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Records kept for a page that connects late. */
  historyLimit?: number;
  now?: () => number;
}

export interface Inspector {
  url: string;
  port: number;
  /** The records seen so far (bounded by historyLimit). */
  records(): readonly InspectionRecord[];
  /** Inspection observer to pass to `createActor(..., { inspect })` for actors created later. */
  observe(event: InspectionEvent): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new ConfigError([{ field: 'host', expected: 'a loopback address (127.0.0.1, ::1 or localhost)' }], 'inspector options');
  const historyLimit = options.historyLimit ?? 5_000;
  const now = options.now ?? Date.now;
  const history: InspectionRecord[] = [];
  const clients = new Set<ServerResponse>();
  const machines = new Map<string, { systemId?: string; definition: StateGraphNode }>();
  let seq = 0;

  const observe = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor') rememberMachine(event.actorRef as AnyActorRef);
    const record = toInspectionRecord(event, ++seq, now());
    if (!record) return;
    history.push(record);
    if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
    const line = `data: ${JSON.stringify(record)}\n\n`;
    for (const client of clients) client.write(line);
  };

  const rememberMachine = (ref: AnyActorRef) => {
    const logic = (ref as { logic?: unknown }).logic as AnyStateMachine | undefined;
    if (!logic || typeof logic !== 'object' || !('root' in logic) || machines.has(ref.sessionId)) return;
    const systemId = (ref as { systemId?: string }).systemId;
    machines.set(ref.sessionId, {
      ...(systemId === undefined ? {} : { systemId }),
      definition: describeMachine(logic),
    });
  };

  const subscriptions: Subscription[] = [];
  for (const actor of options.actors) {
    subscriptions.push(actor.system.inspect(observe));
    // Actors that existed before we attached: register them and their current state now.
    for (const ref of collectActors(actor)) {
      rememberMachine(ref);
      const snap = ref.getSnapshot() as { value?: unknown; status?: string; context?: unknown };
      observe({ type: '@xstate.actor', actorRef: ref, rootId: actor.sessionId });
      observe({ type: '@xstate.snapshot', actorRef: ref, rootId: actor.sessionId, event: { type: 'inspector.attached' }, snapshot: snap as never });
    }
  }

  const server = createServer((req, res) => route(req, res));
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(INSPECTOR_PAGE);
    } else if (path === '/api/machines') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([...machines].map(([actorId, m]) => ({ actorId, ...m }))));
    } else if (path === '/api/records') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(history));
    } else if (path === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      for (const record of history) res.write(`data: ${JSON.stringify(record)}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;

  return {
    url: `http://${urlHost}:${port}/`,
    port,
    records: () => history,
    observe,
    close: async () => {
      for (const s of subscriptions) s.unsubscribe();
      for (const client of clients) client.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The actor and its descendants (invoked and spawned children). */
function collectActors(root: AnyActorRef): AnyActorRef[] {
  const out: AnyActorRef[] = [];
  const walk = (ref: AnyActorRef) => {
    out.push(ref);
    const children = (ref.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
    for (const child of Object.values(children)) if (child) walk(child);
  };
  walk(root);
  return out;
}

export { sanitize };
