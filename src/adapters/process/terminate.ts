// Stopping a gateway for good: SIGTERM, a grace period, SIGKILL, then the processes it left behind.
// Shared by the process actor, the doctor run and the tests' launcher, so every path that ends a gateway
// also ends its spawn-broker.
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescendantTracker } from './descendant-tracker.js';
import { isProcessAlive } from './process-table.js';

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Time leftovers get to exit by themselves once the root is gone, before they are SIGKILLed. */
  orphanGraceMs?: number;
  /** A tracker that has been watching the root (finds descendants a late look would miss). */
  tracker?: DescendantTracker;
}

/** Default wait for orphans: the broker exits ~1.7 s after its gateway is SIGKILLed (openclaw-facts). */
export const DEFAULT_ORPHAN_GRACE_MS = 3_000;

const PID_POLL_MS = 50;

/**
 * Ends `target` (a ChildProcess we spawned, or any PID of ours) and everything under it. Resolves with
 * the root's exit status once the root and its descendants are gone. For a bare PID that is not our
 * child the status is unknown (`code` null) unless the SIGKILL was needed (`signal` SIGKILL).
 */
export async function terminateProcessTree(target: ChildProcess | number, options: TerminateOptions): Promise<ExitStatus> {
  const pid = typeof target === 'number' ? target : target.pid;
  if (pid === undefined) return { code: null, signal: null };
  const tracker = options.tracker ?? new DescendantTracker(pid);
  // Look at the tree before signalling: once the root is gone its children are no longer listed under it.
  tracker.refresh();
  const status = await signalUntilExit(target, options.graceMs);
  await tracker.reap({ graceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS });
  return status;
}

/** SIGTERM, wait up to `graceMs`, SIGKILL, wait for the exit. Does not look at descendants. */
export async function signalUntilExit(target: ChildProcess | number, graceMs: number): Promise<ExitStatus> {
  if (hasExited(target)) return exitStatusOf(target);
  const exited = waitForExit(target);
  sendSignal(target, 'SIGTERM');
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<false>((resolve) => {
    graceTimer = setTimeout(() => resolve(false), graceMs);
  });
  const inTime = await Promise.race([exited.then(() => true as const), graceOver]);
  clearTimeout(graceTimer);
  if (!inTime) {
    sendSignal(target, 'SIGKILL');
    const status = await exited;
    return typeof target === 'number' ? { code: null, signal: 'SIGKILL' } : status;
  }
  return exited;
}

/** Resolves with the exit status once `target` has exited (polls a bare PID). */
export function waitForExit(target: ChildProcess | number): Promise<ExitStatus> {
  if (typeof target === 'number') return pollUntilGone(target);
  if (hasExited(target)) return Promise.resolve(exitStatusOf(target));
  return new Promise((resolve) => {
    target.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

// A bare PID gives no exit event (and no status) to wait for.
async function pollUntilGone(pid: number): Promise<ExitStatus> {
  while (isProcessAlive(pid)) await sleep(PID_POLL_MS);
  return { code: null, signal: null };
}

function hasExited(target: ChildProcess | number): boolean {
  if (typeof target === 'number') return !isProcessAlive(target);
  return target.exitCode !== null || target.signalCode !== null;
}

function exitStatusOf(target: ChildProcess | number): ExitStatus {
  if (typeof target === 'number') return { code: null, signal: null };
  return { code: target.exitCode, signal: target.signalCode };
}

function sendSignal(target: ChildProcess | number, signal: NodeJS.Signals): void {
  try {
    if (typeof target === 'number') process.kill(target, signal);
    else target.kill(signal);
  } catch {
    // Exited between the check and the signal.
  }
}
