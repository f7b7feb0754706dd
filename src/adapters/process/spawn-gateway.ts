// One owned gateway child: spawned with the embedding env in a private state dir, its output cleaned into
// a bounded tail, its descendants watched, and its end reported once, after the child and its
// spawn-broker are both gone. The process actor and the tests' launcher are thin layers over this.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoggerLike } from '../../config.js';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import type { ProcessExit } from '../../contracts/index.js';
import { redactArgv } from '../../redact.js';
import { DescendantTracker } from './descendant-tracker.js';
import { buildEmbeddingEnv, CHILD_MARKER_ENV, GATEWAY_TOKEN_ENV, prepareStateDir, writeStateDirToken } from './embedding-env.js';
import { guardHostExit } from './host-exit-guard.js';
import { captureLines } from './line-capture.js';
import { RingBuffer } from './ring-buffer.js';
import { DEFAULT_ORPHAN_GRACE_MS, signalUntilExit, waitForExit } from './terminate.js';

export type ProcessLogger = Pick<LoggerLike, 'debug' | 'info' | 'warn' | 'error'>;

export interface GatewaySpawnOptions {
  nodePath: string;
  /** openclaw.mjs */
  entry: string;
  port: number;
  token: string;
  stateDir: string;
  bind?: 'loopback';
  dev?: boolean;
  skipChannels?: boolean;
  extraArgs?: readonly string[];
  /** Merged over the embedding preset (the host's explicit choices win). */
  env?: Record<string, string | undefined>;
  /** Seed a config holding `logging.file` into a state dir that has none (default true). */
  seedConfig?: boolean;
  /** Lines of stderr kept for the exit report. */
  stderrLines?: number;
  /** Time the spawn-broker and workers get to exit by themselves after the gateway is gone. */
  orphanGraceMs?: number;
  logger?: ProcessLogger;
  /** Every cleaned output line (ANSI stripped, secrets redacted). */
  onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
}

export type GatewayExit = ProcessExit;

export interface GatewayChild {
  readonly pid: number;
  /** Settles once: after the child has exited and its descendants are gone. Never rejects. */
  readonly exited: Promise<GatewayExit>;
  /** False once the child itself has exited (its descendants may still be on their way out). */
  readonly running: boolean;
  /** SIGTERM, `graceMs`, SIGKILL; resolves with `exited`. */
  terminate(graceMs: number): Promise<GatewayExit>;
  /** Sends `signal` to the child only; false if it has exited. */
  kill(signal: NodeJS.Signals): boolean;
  /** In-process restart (SIGUSR2: same PID, new bootId). SIGUSR1 would open Node's inspector instead. */
  reload(): boolean;
  /** Live descendants as last seen (spawn-broker, sqlite worker, ...). */
  descendantPids(): number[];
  stderrTail(): string[];
}

const DEFAULT_STDERR_LINES = 200;
// After the exit, pipes close once every writer (the broker may hold them) is gone; do not wait forever.
const PIPE_DRAIN_MS = 1_000;

/**
 * The argv after the node executable. No token: /proc/<pid>/cmdline is readable by every local user, so
 * the token travels in the private config file and the environment (see spawnGateway).
 */
export function buildGatewayArgv(options: Pick<GatewaySpawnOptions, 'entry' | 'port' | 'bind' | 'dev' | 'extraArgs'>): string[] {
  return [
    options.entry,
    'gateway',
    '--port',
    String(options.port),
    '--allow-unconfigured',
    '--bind',
    options.bind ?? 'loopback',
    ...(options.dev ? ['--dev'] : []),
    ...(options.extraArgs ?? []),
  ];
}

/** Spawns the gateway; resolves once it runs, rejects with SupervisorError SPAWN_FAILED if it cannot start. */
export async function spawnGateway(options: GatewaySpawnOptions): Promise<GatewayChild> {
  const secrets = [options.token];
  try {
    await prepareStateDir(options.stateDir, { seedConfig: options.seedConfig ?? true });
  } catch (error) {
    throw spawnFailed(`the state dir could not be prepared (${errorCode(error)}): ${options.stateDir}`, error);
  }
  // The token goes where only this user can read it: the state dir's config (0600), which the gateway
  // ranks above the environment, and the child's environment (/proc/<pid>/environ is owner-only) for a
  // config we cannot rewrite.
  let tokenInConfig: boolean;
  try {
    tokenInConfig = await writeStateDirToken(options.stateDir, options.token);
  } catch (error) {
    throw spawnFailed(`the token could not be written to the state dir's config (${errorCode(error)}): ${options.stateDir}`, error);
  }
  if (!tokenInConfig) options.logger?.warn({ stateDir: options.stateDir }, 'the config is not plain JSON: the token goes by environment only');
  const marker = randomUUID();
  const env = buildEmbeddingEnv({
    stateDir: options.stateDir,
    skipChannels: options.skipChannels ?? false,
    overrides: { ...options.env, [GATEWAY_TOKEN_ENV]: options.token, [CHILD_MARKER_ENV]: marker },
  });
  const argv = buildGatewayArgv(options);
  const child = spawn(options.nodePath, argv, { env, cwd: options.stateDir, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      // The error's own message and `spawnargs` would carry the argv, token included: build ours from names.
      reject(spawnFailed(`could not run ${options.nodePath} (${errorCode(error)})`, undefined));
    });
  });
  const pid = child.pid as number;
  options.logger?.info({ pid, nodePath: options.nodePath, command: redactArgv(argv).join(' '), stateDir: options.stateDir }, 'gateway spawned');
  return new OwnedGateway(child, pid, marker, options, secrets);
}

class OwnedGateway implements GatewayChild {
  readonly pid: number;
  readonly exited: Promise<GatewayExit>;
  private readonly child: ChildProcess;
  private readonly tracker: DescendantTracker;
  private readonly stderr: RingBuffer<string>;
  private readonly logger: ProcessLogger | undefined;
  private childDone = false;
  private terminating: Promise<GatewayExit> | undefined;

  constructor(child: ChildProcess, pid: number, marker: string, options: GatewaySpawnOptions, secrets: string[]) {
    this.child = child;
    this.pid = pid;
    this.logger = options.logger;
    this.stderr = new RingBuffer(options.stderrLines ?? DEFAULT_STDERR_LINES);
    const startedAt = performance.now();
    const onOutput = options.onOutput;
    const stdoutDone = child.stdout ? captureLines(child.stdout, { secrets, onLine: (line) => onOutput?.('stdout', line) }) : Promise.resolve();
    const stderrDone = child.stderr
      ? captureLines(child.stderr, {
          secrets,
          onLine: (line) => {
            this.stderr.push(line);
            onOutput?.('stderr', line);
          },
        })
      : Promise.resolve();
    this.tracker = new DescendantTracker(pid, { marker: { name: CHILD_MARKER_ENV, value: marker } }).start();
    const releaseGuard = guardHostExit(() => {
      this.kill('SIGKILL');
      this.tracker.killAllNow();
    });
    child.on('error', (error) => this.logger?.warn({ pid, code: errorCode(error) }, 'gateway child error'));

    this.exited = waitForExit(child).then(async (status) => {
      this.childDone = true;
      const uptimeMs = Math.round(performance.now() - startedAt);
      const reaped = await this.tracker.reap({ graceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS });
      releaseGuard();
      if (reaped.killed.length > 0) this.logger?.warn({ pid, killed: reaped.killed }, 'killed processes the gateway left behind');
      if (reaped.survivors.length > 0) this.logger?.error({ pid, survivors: reaped.survivors }, 'gateway leftovers survived SIGKILL');
      await Promise.race([Promise.all([stdoutDone, stderrDone]), sleep(PIPE_DRAIN_MS, undefined, { ref: false })]);
      const exit: GatewayExit = { pid, ...status, stderrTail: this.stderr.toArray(), uptimeMs };
      this.logger?.info({ pid, code: exit.code, signal: exit.signal, uptimeMs }, 'gateway exited');
      return exit;
    });
  }

  get running(): boolean {
    return !this.childDone && this.child.exitCode === null && this.child.signalCode === null;
  }

  terminate(graceMs: number): Promise<GatewayExit> {
    // Once: a second SIGTERM in the middle of the gateway's shutdown must not restart the grace period.
    this.terminating ??= this.stopOnce(graceMs);
    return this.terminating;
  }

  private async stopOnce(graceMs: number): Promise<GatewayExit> {
    if (this.running) {
      // A last look at the tree while the broker is still listed under the gateway.
      this.tracker.refresh();
      this.logger?.info({ pid: this.pid, graceMs }, 'stopping gateway');
      await signalUntilExit(this.child, graceMs);
    }
    return this.exited;
  }

  kill(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      return this.child.kill(signal);
    } catch {
      return false;
    }
  }

  reload(): boolean {
    this.logger?.info({ pid: this.pid }, 'reloading gateway (SIGUSR2)');
    return this.kill('SIGUSR2');
  }

  descendantPids(): number[] {
    if (this.running) this.tracker.refresh();
    return this.tracker.pids();
  }

  stderrTail(): string[] {
    return this.stderr.toArray();
  }
}

function spawnFailed(message: string, cause: unknown): SupervisorError {
  return new SupervisorError(ErrorCodes.SPAWN_FAILED, message, cause === undefined ? {} : { cause });
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}
