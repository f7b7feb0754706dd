// The repair step of embedding.md: after an exit 78 (invalid config), run
// `openclaw doctor --fix --yes --non-interactive` against the same state dir and environment as the
// gateway, then let the caller retry the start once. A non-zero exit is a result, not an exception.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import { DescendantTracker } from './descendant-tracker.js';
import { buildEmbeddingEnv, CHILD_MARKER_ENV, prepareStateDir } from './embedding-env.js';
import { captureLines } from './line-capture.js';
import { RingBuffer } from './ring-buffer.js';
import { terminateProcessTree, waitForExit } from './terminate.js';

export interface DoctorRepairOptions {
  nodePath: string;
  entry: string;
  stateDir: string;
  skipChannels?: boolean;
  /** The same overrides the gateway child gets. */
  env?: Record<string, string | undefined>;
  /** Doctor took ~16 s on a 2-core machine; the default leaves room for a slow one. */
  timeoutMs?: number;
  /** SIGTERM-to-SIGKILL grace when stopping doctor, and the time its leftovers get to exit by themselves. */
  killGraceMs?: number;
  /** Aborting kills doctor and whatever it started. */
  signal?: AbortSignal;
  /** Lines of combined output kept. */
  outputLines?: number;
  /** Values to redact from the output (the gateway token, when the config holds it). */
  secrets?: ReadonlyArray<string | undefined>;
  /** Every cleaned output line as it arrives (progress for a CLI, a log). */
  onOutput?: (line: string) => void;
}

export interface DoctorRepairResult {
  /** Null when doctor was killed (timeout, abort) or ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** How the run ended. */
  outcome: 'exited' | 'timeout' | 'aborted';
  /** The last lines of stdout and stderr, interleaved, ANSI stripped, secrets redacted. */
  outputTail: string[];
}

const DEFAULT_TIMEOUT_MS = 120_000;
const KILL_GRACE_MS = 2_000;
const PIPE_DRAIN_MS = 1_000;

/** Runs doctor's repair; rejects only when it cannot be spawned at all (SPAWN_FAILED). */
export async function runDoctorRepair(options: DoctorRepairOptions): Promise<DoctorRepairResult> {
  const output = new RingBuffer<string>(options.outputLines ?? 60);
  const killGraceMs = options.killGraceMs ?? KILL_GRACE_MS;
  const notRun: DoctorRepairResult = { exitCode: null, signal: null, outcome: 'aborted', outputTail: [] };
  if (options.signal?.aborted) return notRun;
  // Never seed here: doctor repairs the config that is there, it does not get a new one.
  await prepareStateDir(options.stateDir, { seedConfig: false });
  if (options.signal?.aborted) return notRun;
  const marker = randomUUID();
  const env = buildEmbeddingEnv({
    stateDir: options.stateDir,
    skipChannels: options.skipChannels ?? false,
    overrides: { ...options.env, [CHILD_MARKER_ENV]: marker },
  });
  const child = spawn(options.nodePath, [options.entry, 'doctor', '--fix', '--yes', '--non-interactive'], {
    env,
    cwd: options.stateDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      reject(new SupervisorError(ErrorCodes.SPAWN_FAILED, `could not run doctor with ${options.nodePath} (${code})`));
    });
  });
  const pid = child.pid as number;
  const tracker = new DescendantTracker(pid, { marker: { name: CHILD_MARKER_ENV, value: marker } }).start();
  const secrets = options.secrets ?? [];
  const onLine = (line: string): void => {
    output.push(line);
    options.onOutput?.(line);
  };
  const drained = Promise.all([
    child.stdout ? captureLines(child.stdout, { secrets, onLine }) : undefined,
    child.stderr ? captureLines(child.stderr, { secrets, onLine }) : undefined,
  ]);

  let outcome: DoctorRepairResult['outcome'] = 'exited';
  let stopping: Promise<unknown> | undefined;
  const stop = (why: 'timeout' | 'aborted'): void => {
    if (stopping) return;
    outcome = why;
    stopping = terminateProcessTree(child, { graceMs: killGraceMs, orphanGraceMs: killGraceMs, tracker });
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onAbort = (): void => stop('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted while the spawn was under way: the listener above came too late to hear it.
  if (options.signal?.aborted) onAbort();
  try {
    const status = await waitForExit(child);
    await (stopping ?? tracker.reap({ graceMs: killGraceMs }));
    // The pipes close once every writer is gone; a survivor holding them must not hang the repair.
    await Promise.race([drained, sleep(PIPE_DRAIN_MS, undefined, { ref: false })]);
    return {
      exitCode: outcome === 'exited' ? status.code : null,
      signal: status.signal,
      outcome,
      outputTail: output.toArray(),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    tracker.stop();
  }
}
