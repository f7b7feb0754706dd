// The live inspector: a loopback HTTP server that serves a self-contained page (no internet, no CDN) and
// streams inspection records over Server-Sent Events. It attaches to running actor systems with
// `actor.system.inspect()` (or is handed to `createActor(..., { inspect })` as `observe` to see a system
// from its first event), and detaches on close.
//
// A page that can act must not be reachable from another origin or another user: every request must
// name the bound loopback address in `Host` (defeats DNS rebinding) and carry the per-run secret (in the
// URL the CLI prints, or the `x-inspector-key` header); anything else gets 403. Commands are allow-listed
// by the host and run through the public API.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyActorRef, AnyStateMachine, InspectionEvent, Subscription } from 'xstate';
import { ConfigError } from '../errors.js';
import { scrubSecrets } from '../redact.js';
import { toInspectionRecord, sanitize, type InspectionRecord } from './inspection-record.js';
import { describeMachine, type StateGraphNode } from './machine-graph.js';
import { INSPECTOR_PAGE } from './page.js';
import { layoutStatechart } from './statechart-layout.js';
import { renderStatechartSvg } from './statechart-svg.js';
import { TRACE_VERSION, traceHeader, traceLine } from './trace.js';

/** An actor as the inspector knows it: what a command's `appliesTo` is asked about. */
export interface InspectedActor {
  actorId: string;
  systemId?: string;
  /** The machine's id (`gateway`, `connection`, ...); absent for non-machine actors. */
  machineId?: string;
}

/** An allow-listed action the page may ask for; it runs in this process through the host's public API. */
export interface InspectorCommand {
  /** Button text (default: the command's name). */
  label?: string;
  appliesTo(actor: InspectedActor): boolean;
  run(actor: InspectedActor): unknown;
}

export interface InspectorOptions {
  /** Root actors to inspect; every actor of their systems is shown. */
  actors?: AnyActorRef[];
  /** Same as `actors` (one root actor per system); both lists are used. */
  systems?: AnyActorRef[];
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Records kept in memory for a page that connects late and for `GET /api/trace` (default 20,000). */
  historyLimit?: number;
  /** The per-run secret (default: 24 random bytes, base64url). */
  secret?: string;
  /** Commands the page may run, by name. */
  commands?: Record<string, InspectorCommand>;
  /** Append every record to this file as trace JSON lines (a header line first). */
  recordFile?: string;
  /** Secret values scrubbed from every record (the gateway token, ...), on top of key-based redaction. */
  redact?: ReadonlyArray<string | undefined>;
  now?: () => number;
}

export interface Inspector {
  /** The page's URL, with the per-run secret: print it, do not log it. */
  url: string;
  /** `http://127.0.0.1:<port>` (no secret). */
  origin: string;
  port: number;
  secret: string;
  /** An API URL with the secret (`apiUrl('/api/trace')`). */
  apiUrl(path: string): string;
  /** The records kept so far (bounded by historyLimit). */
  records(): readonly InspectionRecord[];
  /** The trace so far as JSON lines (what `GET /api/trace` answers). */
  trace(): string;
  /** Inspection observer to pass to `createActor(..., { inspect })` for actors created later. */
  observe(event: InspectionEvent): void;
  /** Starts inspecting another running system. */
  attach(actor: AnyActorRef): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MAX_COMMAND_BODY_BYTES = 4_096;

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new ConfigError([{ field: 'host', expected: 'a loopback address (127.0.0.1, ::1 or localhost)' }], 'inspector options');
  if (options.secret !== undefined && options.secret.length < 16)
    throw new ConfigError([{ field: 'secret', expected: 'at least 16 characters' }], 'inspector options');
  const historyLimit = options.historyLimit ?? 20_000;
  const now = options.now ?? Date.now;
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const redactValues = [...(options.redact ?? []), secret];
  const commands = options.commands ?? {};
  const startedAt = now();
  const history: InspectionRecord[] = [];
  const clients = new Set<ServerResponse>();
  const machines = new Map<string, { ref: AnyActorRef; definition: StateGraphNode; logic: AnyStateMachine }>();
  // Read when asked: an actor's systemId is not yet set when `@xstate.actor` is inspected.
  const inspected = (ref: AnyActorRef, logic: AnyStateMachine): InspectedActor => {
    const systemId = (ref as { systemId?: string }).systemId;
    return { actorId: ref.sessionId, machineId: logic.id, ...(systemId === undefined ? {} : { systemId }) };
  };
  const charts = new Map<AnyStateMachine, Promise<string>>();
  let recorder: WriteStream | undefined;
  let seq = 0;

  const publish = (record: InspectionRecord) => {
    // Key-based redaction happened in sanitize(); known secret values are scrubbed from the final text.
    const raw = JSON.stringify(record);
    const line = scrubSecrets(raw, redactValues);
    // Parsed back only when a secret value was scrubbed: the record is already plain sanitised data.
    const clean = line === raw ? record : (JSON.parse(line) as InspectionRecord);
    history.push(clean);
    if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
    recorder?.write(`{"v":${TRACE_VERSION},${line.slice(1)}\n`);
    for (const client of clients) client.write(`data: ${line}\n\n`);
  };

  const observe = (event: InspectionEvent) => {
    if (event.type === '@xstate.actor') rememberMachine(event.actorRef as AnyActorRef);
    const record = toInspectionRecord(event, ++seq, now());
    if (record) publish(record);
  };

  const rememberMachine = (ref: AnyActorRef) => {
    const logic = (ref as { logic?: unknown }).logic as AnyStateMachine | undefined;
    if (!logic || typeof logic !== 'object' || !('root' in logic) || machines.has(ref.sessionId)) return;
    machines.set(ref.sessionId, { ref, definition: describeMachine(logic), logic });
  };

  const subscriptions: Subscription[] = [];
  const attach = (actor: AnyActorRef) => {
    subscriptions.push(actor.system.inspect(observe));
    // Actors that existed before we attached: register them and their current state now.
    for (const ref of collectActors(actor)) {
      observe({ type: '@xstate.actor', actorRef: ref, rootId: actor.sessionId });
      const snap = ref.getSnapshot() as never;
      observe({ type: '@xstate.snapshot', actorRef: ref, rootId: actor.sessionId, event: { type: 'inspector.attached' }, snapshot: snap });
    }
  };

  if (options.recordFile !== undefined) {
    recorder = createWriteStream(options.recordFile, { flags: 'w' });
    recorder.write(`${traceHeader(startedAt)}\n`);
  }
  for (const actor of [...(options.actors ?? []), ...(options.systems ?? [])]) attach(actor);

  const server = createServer((req, res) => {
    if (!allowed(req)) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('forbidden');
      return;
    }
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(scrubSecrets(error instanceof Error ? error.message : 'internal error', redactValues));
    });
  });

  let expectedHost = '';
  const secretBytes = Buffer.from(secret);
  const allowed = (req: IncomingMessage): boolean => {
    if (req.headers.host !== expectedHost) return false;
    const url = new URL(req.url ?? '/', `http://${expectedHost}`);
    const given = url.searchParams.get('key') ?? req.headers['x-inspector-key'];
    if (typeof given !== 'string') return false;
    const givenBytes = Buffer.from(given);
    if (givenBytes.length !== secretBytes.length || !timingSafeEqual(givenBytes, secretBytes)) return false;
    // A browser sends Origin on cross-origin requests: only our own page may call the API.
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${expectedHost}`;
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${expectedHost}`);
    const path = url.pathname;
    if (path === '/' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // Everything comes from this server; nothing may be framed, fetched or posted elsewhere.
        'content-security-policy':
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'",
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
      });
      res.end(INSPECTOR_PAGE);
    } else if (path === '/api/machines') {
      json(
        res,
        200,
        [...machines.values()].map((m) => ({
          ...inspected(m.ref, m.logic),
          definition: m.definition,
          commands: Object.entries(commands)
            .filter(([, c]) => c.appliesTo(inspected(m.ref, m.logic)))
            .map(([name, c]) => ({ name, label: c.label ?? name })),
        })),
      );
    } else if (path === '/api/chart') {
      const entry = machines.get(url.searchParams.get('actor') ?? '');
      if (!entry) return json(res, 404, { error: 'no such actor' });
      let svg = charts.get(entry.logic);
      if (!svg) charts.set(entry.logic, (svg = layoutStatechart(entry.definition).then((layout) => renderStatechartSvg(layout))));
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
      res.end(await svg);
    } else if (path === '/api/records') {
      json(res, 200, history);
    } else if (path === '/api/trace') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      res.end(trace());
    } else if (path === '/api/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      for (const record of history) res.write(`data: ${JSON.stringify(record)}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else if (path === '/api/command' && req.method === 'POST') {
      await runCommand(req, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  };

  const runCommand = async (req: IncomingMessage, res: ServerResponse) => {
    let body: { command?: unknown; actorId?: unknown };
    try {
      body = JSON.parse(await readBody(req)) as typeof body;
    } catch {
      return json(res, 400, { error: 'expected a JSON body {command, actorId}' });
    }
    const name = typeof body.command === 'string' ? body.command : '';
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    const entry = machines.get(typeof body.actorId === 'string' ? body.actorId : '');
    const target = entry ? inspected(entry.ref, entry.logic) : undefined;
    if (!command || !target || !command.appliesTo(target)) return json(res, 403, { error: 'command not allowed for this actor' });
    const base = { at: now(), kind: 'command' as const, rootId: target.actorId, actorId: target.actorId, command: name, source: 'page' };
    publish({ ...base, seq: ++seq, ...(target.systemId === undefined ? {} : { systemId: target.systemId }) });
    try {
      await command.run(target);
      publish({ ...base, seq: ++seq, at: now(), outcome: 'ok' });
      json(res, 200, { ok: true });
    } catch (error) {
      const message = scrubSecrets(error instanceof Error ? error.message : String(error), redactValues);
      publish({ ...base, seq: ++seq, at: now(), outcome: 'error', error: sanitize(message) as string });
      json(res, 500, { ok: false, error: message });
    }
  };

  const trace = () => [traceHeader(startedAt), ...history.map(traceLine), ''].join('\n');

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  expectedHost = `${host === '::1' ? '[::1]' : host}:${port}`;
  const origin = `http://${expectedHost}`;
  const apiUrl = (path: string) => `${origin}${path}${path.includes('?') ? '&' : '?'}key=${encodeURIComponent(secret)}`;

  return {
    url: apiUrl('/'),
    origin,
    port,
    secret,
    apiUrl,
    records: () => history,
    trace,
    observe,
    attach,
    close: async () => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions.length = 0;
      for (const client of clients) client.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (recorder) {
        const r = recorder;
        recorder = undefined;
        await new Promise<void>((resolve) => r.end(resolve));
      }
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_COMMAND_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
