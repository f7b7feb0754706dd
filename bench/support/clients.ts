// The three clients the throughput bench compares, behind one shape. `call` never rejects: it resolves
// null on success and the error code otherwise, so a scenario can count refusals without try/catch cost
// distorting the loop. Each `open*` resolves once the client has seen hello-ok.
//
// The reference client and our own code are loaded with computed specifiers: the reference client lives
// in runtime/ (not a root dependency) and ours may still be in progress, and a benchmark must report a
// missing client as a gap, never fail the project's typecheck or fake a number.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectRaw } from './raw-client.js';

export type ClientKind = 'raw' | 'reference' | 'ours';

export interface BenchClient {
  readonly kind: ClientKind;
  /** What exactly was measured (for "ours": the supervisor facade or the adapter layer beneath it). */
  readonly label: string;
  call(method: string, params?: unknown): Promise<string | null>;
  close(): Promise<void>;
}

export interface Endpoint {
  url: string;
  token: string;
}

/** Why a client could not be measured. */
export interface ClientGap {
  kind: ClientKind;
  gap: string;
}

const scopes = ['operator.admin'];
const requestTimeoutMs = 30_000;

const referenceClientUrl = new URL('../../runtime/node_modules/@openclaw/gateway-client/dist/index.mjs', import.meta.url);
const supervisorUrl = new URL('../../src/runtime/gateway-supervisor.ts', import.meta.url);
const rpcChannelUrl = new URL('../../src/adapters/websocket/rpc-channel.ts', import.meta.url);
const gatewaySocketUrl = new URL('../../src/adapters/websocket/gateway-socket.ts', import.meta.url);

/** Which implementation `openClient('ours')` will measure right now, or why none can be. */
export function oursAvailability(): { layer: 'supervisor' | 'adapters' } | { gap: string } {
  if (existsSync(fileURLToPath(supervisorUrl))) return { layer: 'supervisor' };
  if (existsSync(fileURLToPath(rpcChannelUrl)) && existsSync(fileURLToPath(gatewaySocketUrl))) return { layer: 'adapters' };
  return { gap: 'neither src/runtime/gateway-supervisor.ts nor src/adapters/websocket/{rpc-channel,gateway-socket}.ts exists' };
}

// Modules are imported once, before anything is timed: a first import (xstate, zod, the reference
// client's graph) would otherwise be charged to the first handshake.
const modules = new Map<string, Promise<unknown>>();
function load<T>(url: URL): Promise<T> {
  let loading = modules.get(url.href);
  if (loading === undefined) {
    loading = import(url.href);
    modules.set(url.href, loading);
  }
  return loading as Promise<T>;
}

/** Imports what `openClient(kind)` will need; a failure here shows up as a gap when opening. */
export async function preloadClient(kind: ClientKind): Promise<void> {
  const urls =
    kind === 'reference'
      ? [referenceClientUrl]
      : kind === 'ours'
        ? (() => {
            const availability = oursAvailability();
            if ('gap' in availability) return [];
            return availability.layer === 'supervisor' ? [supervisorUrl] : [rpcChannelUrl, gatewaySocketUrl];
          })()
        : [];
  await Promise.allSettled(urls.map((url) => load(url)));
}

export async function openClient(kind: ClientKind, endpoint: Endpoint): Promise<BenchClient | ClientGap> {
  try {
    if (kind === 'raw') return await openRaw(endpoint);
    if (kind === 'reference') return await openReference(endpoint);
    return await openOurs(endpoint);
  } catch (error) {
    return { kind, gap: `could not open: ${(error as Error).message}` };
  }
}

export function isGap(value: BenchClient | ClientGap): value is ClientGap {
  return 'gap' in value;
}

async function openRaw(endpoint: Endpoint): Promise<BenchClient> {
  const client = await connectRaw(endpoint.url, endpoint.token, { scopes });
  return {
    kind: 'raw',
    label: 'raw ws client (bench/support/raw-client.ts)',
    call: (method, params) => client.request(method, params).then((r) => (r.ok ? null : (r.error?.code ?? 'ERROR'))),
    close: () => client.close(),
  };
}

/** The subset of `GatewayClient` from @openclaw/gateway-client used here. */
interface ReferenceClient {
  start(): void;
  stop(): void;
  request(method: string, params?: unknown, opts?: { timeoutMs?: number | null }): Promise<unknown>;
}
type ReferenceClientCtor = new (opts: Record<string, unknown>) => ReferenceClient;

async function openReference(endpoint: Endpoint): Promise<BenchClient> {
  const mod = await load<{ GatewayClient: ReferenceClientCtor }>(referenceClientUrl);
  let client: ReferenceClient | undefined;
  await new Promise<void>((resolveHello, rejectHello) => {
    client = new mod.GatewayClient({
      url: endpoint.url,
      token: endpoint.token,
      scopes,
      minProtocol: 4,
      maxProtocol: 4,
      requestTimeoutMs,
      onHelloOk: () => resolveHello(),
      onConnectError: (error: Error) => rejectHello(error),
    });
    client.start();
  });
  const ref = client as ReferenceClient;
  return {
    kind: 'reference',
    label: 'GatewayClient from @openclaw/gateway-client (runtime/node_modules)',
    call: (method, params) => ref.request(method, params).then(() => null, codeOf),
    close: async () => ref.stop(),
  };
}

/** The facade shape fixed by ARCHITECTURE.md ("Public handles"). */
interface SupervisorFacade {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  request(method: string, params?: unknown, opts?: { timeoutMs?: number }): Promise<unknown>;
}

async function openOurs(endpoint: Endpoint): Promise<BenchClient> {
  const availability = oursAvailability();
  if ('gap' in availability) throw new Error(availability.gap);
  if (availability.layer === 'supervisor') {
    const mod = await load<{ createGatewaySupervisor: (o: Record<string, unknown>) => SupervisorFacade }>(supervisorUrl);
    const supervisor = mod.createGatewaySupervisor({ mode: 'attach', url: endpoint.url, token: endpoint.token, scopes });
    await supervisor.start();
    return {
      kind: 'ours',
      label: "createGatewaySupervisor({ mode: 'attach' }) (src/runtime/gateway-supervisor.ts)",
      call: (method, params) => supervisor.request(method, params, { timeoutMs: requestTimeoutMs }).then(() => null, codeOf),
      close: async () => void (await supervisor.stop()),
    };
  }
  return openAdapterLayer(endpoint);
}

/** The subset of src/adapters/websocket used while the supervisor facade does not exist yet. */
interface RpcChannelLike {
  request(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  close(error: Error): void;
}
interface SocketHandleLike {
  command(command: { type: 'socket.close'; code: number; reason: string }): void;
  dispose(): void;
}
type SignalLike = { type: string; code?: number; reason?: string; error?: { code?: string } };

async function openAdapterLayer(endpoint: Endpoint): Promise<BenchClient> {
  const rpcMod = await load<{ createRpcChannel: (o?: { defaultTimeoutMs?: number }) => RpcChannelLike }>(rpcChannelUrl);
  const socketMod = await load<{
    openGatewaySocket: (deps: Record<string, unknown>, epoch: number, emit: (s: SignalLike) => void) => SocketHandleLike;
  }>(gatewaySocketUrl);
  const rpc = rpcMod.createRpcChannel({ defaultTimeoutMs: requestTimeoutMs });
  let closed: (() => void) | undefined;
  const closedPromise = new Promise<void>((done) => (closed = done));
  let handle: SocketHandleLike | undefined;
  await new Promise<void>((resolveHello, rejectHello) => {
    handle = socketMod.openGatewaySocket(
      {
        url: endpoint.url,
        credentials: () => ({ token: endpoint.token }),
        client: { version: 'bench', platform: process.platform },
        scopes,
        rpc,
        onEvent: () => {},
      },
      1,
      (signal) => {
        if (signal.type === 'socket.hello') resolveHello();
        else if (signal.type === 'socket.refused') rejectHello(new Error(`refused: ${signal.error?.code ?? '?'}`));
        else if (signal.type === 'socket.closed') {
          rejectHello(new Error(`closed ${signal.code ?? '?'}`));
          closed?.();
        }
      },
    );
  });
  const socket = handle as SocketHandleLike;
  return {
    kind: 'ours',
    label: 'createRpcChannel + openGatewaySocket (src/adapters/websocket; the supervisor facade did not exist yet)',
    call: (method, params) => rpc.request(method, params, { timeoutMs: requestTimeoutMs }).then(() => null, codeOf),
    close: async () => {
      socket.command({ type: 'socket.close', code: 1000, reason: 'bench done' });
      await Promise.race([closedPromise, new Promise((r) => setTimeout(r, 2_000))]);
      socket.dispose();
      rpc.close(new Error('bench done'));
    },
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}
