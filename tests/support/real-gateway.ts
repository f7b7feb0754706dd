// Starts the real openclaw gateway (runtime/node_modules, Node 24) in a throwaway state dir for e2e tests.
//
//   const gw = await startRealGateway();            // resolves at hello-ok
//   ... gw.url, gw.token, gw.pid, gw.brokerPids()
//   await gw.stop();                                // SIGTERM, SIGKILL after 5 s, broker reaped, dir removed
//
// Waiting is on protocol signals only: TCP accept for 'listening', a token `connect` answered with hello-ok
// for 'ready' (retrying when the gateway says `UNAVAILABLE startup-sidecars`, after its own retryAfterMs).
// The whole start is bounded (90 s by default); a gateway that exits first rejects with its exit status.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { gatewayPaths } from '../../src/adapters/process/embedding-env.js';
import { readCmdline } from '../../src/adapters/process/process-table.js';
import { spawnGateway, type GatewayChild, type GatewayExit } from '../../src/adapters/process/spawn-gateway.js';
import { waitForListening } from '../../src/adapters/http/wait-listening.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from './free-port.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The gateway's Node 24 and entry, installed by scripts/install-runtime.mjs. */
export const RUNTIME_NODE = join(repoRoot, 'runtime', 'node_modules', '.bin', 'node');
export const RUNTIME_ENTRY = join(repoRoot, 'runtime', 'node_modules', 'openclaw', 'openclaw.mjs');

/** A quiet managed supervisor's options on the repo's runtime (channels off): spread, then add a test's own. */
export function managedOptions(stateDir: string, port: number) {
  return { mode: 'managed', stateDir, port, nodePath: RUNTIME_NODE, openclawEntry: RUNTIME_ENTRY, skipChannels: true, logger: silentLogger } as const;
}

export interface RealGatewayOptions {
  token?: string;
  port?: number;
  /** Extra child environment, over the embedding preset. */
  env?: Record<string, string | undefined>;
  /** Written as the config file before start (a `logging.file` inside the state dir is added if absent). */
  config?: Record<string, unknown>;
  /** Written verbatim as the config file instead (e.g. invalid JSON5); wins over `config`. */
  rawConfig?: string;
  skipChannels?: boolean;
  waitFor?: 'ready' | 'listening' | 'spawned';
  /** Bound on the whole start. */
  timeoutMs?: number;
  /** Every cleaned output line, e.g. `(s, l) => console.log(s, l)` while debugging a test. */
  onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export interface RealGateway {
  url: string;
  port: number;
  token: string;
  pid: number;
  stateDir: string;
  nodePath: string;
  entry: string;
  /** Settles once the gateway and its descendants are gone. */
  exited: Promise<GatewayExit>;
  /** Terminates (SIGTERM, 5 s, SIGKILL), reaps the spawn-broker, removes the state dir. Idempotent. */
  stop(): Promise<void>;
  /** Signals the gateway process only; false once it has exited. */
  kill(signal: NodeJS.Signals): boolean;
  /** Live spawn-broker PIDs of this gateway (own session and process group, so group kills miss them). */
  brokerPids(): number[];
  /** Every live descendant (broker, sqlite worker, ...). */
  descendantPids(): number[];
  stderrTail(): string[];
}

const DEFAULT_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

export async function startRealGateway(options: RealGatewayOptions = {}): Promise<RealGateway> {
  const stateDir = await mkdtemp(join(tmpdir(), 'ocs-gw-'));
  const port = options.port ?? (await freePort());
  const token = options.token ?? `test-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const paths = gatewayPaths(stateDir);
  if (options.rawConfig !== undefined) await writeFile(paths.configPath, options.rawConfig, { mode: 0o600 });
  else if (options.config) await writeFile(paths.configPath, JSON.stringify(withPrivateLog(options.config, paths.logFile)), { mode: 0o600 });

  let child: GatewayChild;
  try {
    child = await spawnGateway({
      nodePath: RUNTIME_NODE,
      entry: RUNTIME_ENTRY,
      port,
      token,
      stateDir,
      skipChannels: options.skipChannels ?? true,
      ...(options.env ? { env: options.env } : {}),
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    });
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const gateway: RealGateway = {
    url: `ws://127.0.0.1:${port}`,
    port,
    token,
    pid: child.pid,
    stateDir,
    nodePath: RUNTIME_NODE,
    entry: RUNTIME_ENTRY,
    exited: child.exited,
    stop() {
      stopping ??= child.terminate(STOP_GRACE_MS).then(() => rm(stateDir, { recursive: true, force: true }));
      return stopping;
    },
    kill: (signal) => child.kill(signal),
    brokerPids: () => child.descendantPids().filter((pid) => (readCmdline(pid) ?? []).some((arg) => arg.includes('spawn-broker'))),
    descendantPids: () => child.descendantPids(),
    stderrTail: () => child.stderrTail(),
  };

  const waitFor = options.waitFor ?? 'ready';
  if (waitFor === 'spawned') return gateway;
  const abort = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => abort.abort(new Error(`gateway not ${waitFor} within ${timeoutMs} ms`)), timeoutMs);
  void child.exited.then((exit) =>
    abort.abort(new Error(`gateway exited before ${waitFor} (code ${exit.code}, signal ${exit.signal}):\n${exit.stderrTail.slice(-20).join('\n')}`)),
  );
  try {
    await waitForListening({ host: '127.0.0.1', port, signal: abort.signal });
    if (waitFor === 'ready') await connectUntilHello(gateway.url, token, abort.signal);
    return gateway;
  } catch (error) {
    await gateway.stop();
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
}

/** What a test needs from hello-ok. */
export interface HelloInfo {
  bootId: string;
  connId: string;
  protocol: number;
  /** The open socket, for tests that keep watching (close it when done). */
  socket: WebSocket;
}

/**
 * Connects with the token as a backend client and resolves at hello-ok, retrying while the gateway answers
 * `UNAVAILABLE` (starting, or restarting after SIGUSR2) or refuses the socket.
 */
export async function connectUntilHello(url: string, token: string, signal: AbortSignal): Promise<HelloInfo> {
  for (;;) {
    signal.throwIfAborted();
    const attempt = await connectOnce(url, token, signal);
    if (attempt.kind === 'hello') return attempt.hello;
    if (attempt.kind === 'refused') throw new Error(`connect refused: ${attempt.code} ${attempt.message}`);
    // 'retry': wait what the gateway asked for (or a short beat when the socket itself failed).
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal.reason);
      };
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, attempt.retryAfterMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

type Attempt = { kind: 'hello'; hello: HelloInfo } | { kind: 'retry'; retryAfterMs: number } | { kind: 'refused'; code: string; message: string };

/** One WebSocket: challenge, connect, and the answer. */
export function connectOnce(url: string, token: string, signal?: AbortSignal): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    const finish = (attempt: Attempt, keepOpen = false): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (!keepOpen) {
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
      }
      resolve(attempt);
    };
    const onAbort = (): void => finish({ kind: 'retry', retryAfterMs: 0 });
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return;
      }
      const frame = parsed as {
        type?: string;
        event?: string;
        ok?: boolean;
        payload?: { server?: { bootId?: string; connId?: string }; protocol?: number };
        error?: { code?: string; message?: string; retryable?: boolean; retryAfterMs?: number };
      };
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        socket.send(
          JSON.stringify({
            type: 'req',
            id: 'connect-1',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: { id: 'gateway-client', version: 'test', platform: process.platform, mode: 'backend' },
              role: 'operator',
              scopes: ['operator.admin'],
              caps: [],
              auth: { token },
            },
          }),
        );
      } else if (frame.type === 'res' && frame.ok) {
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        socket.on('error', () => {});
        finish(
          {
            kind: 'hello',
            hello: {
              bootId: frame.payload?.server?.bootId ?? '',
              connId: frame.payload?.server?.connId ?? '',
              protocol: frame.payload?.protocol ?? 0,
              socket,
            },
          },
          true,
        );
      } else if (frame.type === 'res') {
        const error = frame.error ?? {};
        if (error.retryable) finish({ kind: 'retry', retryAfterMs: error.retryAfterMs ?? 250 });
        else finish({ kind: 'refused', code: error.code ?? 'UNKNOWN', message: error.message ?? '' });
      }
    });
    // The listener is down (restart) or closed us before answering: try again shortly.
    socket.on('error', () => finish({ kind: 'retry', retryAfterMs: 100 }));
    socket.on('close', () => finish({ kind: 'retry', retryAfterMs: 100 }));
  });
}

function withPrivateLog(config: Record<string, unknown>, logFile: string): Record<string, unknown> {
  const logging = (config.logging ?? {}) as Record<string, unknown>;
  return logging.file === undefined ? { ...config, logging: { ...logging, file: logFile } } : config;
}
