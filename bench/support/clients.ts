// The three clients the throughput bench compares, behind one shape. `call` never rejects: it resolves
// null on success and the error code otherwise, so a scenario can count refusals without try/catch cost
// distorting the loop. Each `open*` resolves once the client has seen hello-ok.
//
// The reference client is loaded with a computed specifier: it lives in runtime/ (installed apart from
// the root, for the gateway), so a missing runtime makes it a reported gap instead of a failed typecheck.
import { builtPackage } from './built-package.js';
import { connectRaw } from './raw-client.js';

export type ClientKind = 'raw' | 'reference' | 'ours';

export interface BenchClient {
  readonly kind: ClientKind;
  /** What exactly was measured. */
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

// The reference client is imported once, before anything is timed: a first import would otherwise be
// charged to its first handshake (ours is imported statically, before the run starts).
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
  if (kind === 'reference') await load(referenceClientUrl).catch(() => undefined);
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

async function openOurs(endpoint: Endpoint): Promise<BenchClient> {
  const { createGatewaySupervisor } = await builtPackage();
  const supervisor = createGatewaySupervisor({ mode: 'attach', url: endpoint.url, token: endpoint.token, scopes });
  try {
    await supervisor.start();
  } catch (error) {
    await supervisor.dispose();
    throw error;
  }
  return {
    kind: 'ours',
    label: "createGatewaySupervisor({ mode: 'attach' }) from dist/index.js, the built package",
    call: (method, params) => supervisor.request(method, params, { timeoutMs: requestTimeoutMs }).then(() => null, codeOf),
    close: () => supervisor.dispose(),
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}
