// Remembers every descendant of a running child, so they can be found after the child is gone. Once the
// gateway exits its spawn-broker and sqlite worker are re-parented (to init or a subreaper) and no longer
// show up under the gateway's PID; the broker also sits in its own session, so a group kill misses it.
// Two ways to find them afterwards: the descendants seen while the child ran (polled, since a SIGKILL
// leaves no moment to look, and SIGUSR2 replaces the broker with a new PID), and an environment marker
// every process of this child inherits.
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantPidsOf, identify, isSameProcess, pidsWithEnv, type ProcessIdentity } from './process-table.js';

export interface DescendantTrackerOptions {
  /** How often the tree is walked while the child runs. */
  intervalMs?: number;
  /** An env entry unique to this child (inherited by its descendants): found even if never polled. */
  marker?: { name: string; value: string };
}

export interface ReapOptions {
  /** How long leftovers may take to exit by themselves (the broker exits ~1.7 s after a SIGKILL). */
  graceMs: number;
  /** How long to wait for SIGKILLed leftovers to disappear. */
  killWaitMs?: number;
  /** Poll period while waiting. */
  pollMs?: number;
}

export interface ReapResult {
  /** PIDs that had to be SIGKILLed. */
  killed: number[];
  /** PIDs still present after everything (a process stuck in the kernel); normally empty. */
  survivors: number[];
}

const DEFAULT_INTERVAL_MS = 500;

export class DescendantTracker {
  private readonly rootPid: number;
  private readonly options: DescendantTrackerOptions;
  private readonly known = new Map<number, ProcessIdentity>();
  private timer: NodeJS.Timeout | undefined;

  constructor(rootPid: number, options: DescendantTrackerOptions = {}) {
    this.rootPid = rootPid;
    this.options = options;
  }

  /** Starts polling (the timer never keeps the host alive). */
  start(): this {
    if (this.timer) return this;
    this.refresh();
    this.timer = setInterval(() => this.refresh(), this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Walks the tree now: adds new descendants, forgets ones that have exited. */
  refresh(): void {
    for (const [pid, identity] of this.known) if (!isSameProcess(identity)) this.known.delete(pid);
    for (const pid of descendantPidsOf(this.rootPid)) this.remember(pid);
  }

  /** Live descendants as last seen, plus any live process carrying the marker. */
  pids(): number[] {
    this.collectMarked();
    return [...this.known.values()].filter((identity) => isSameProcess(identity)).map((identity) => identity.pid);
  }

  /**
   * After the root has exited: waits `graceMs` for the remembered descendants to exit by themselves,
   * SIGKILLs the ones left, and waits for them to disappear.
   */
  async reap(options: ReapOptions): Promise<ReapResult> {
    this.stop();
    const pollMs = options.pollMs ?? 50;
    this.collectMarked();
    let left = this.live();
    const graceDeadline = Date.now() + options.graceMs;
    while (left.length > 0 && Date.now() < graceDeadline) {
      await sleep(pollMs);
      left = this.live();
    }
    // One more look for marked processes started while we waited (an orphaned broker may still fork).
    this.collectMarked();
    left = this.live();
    const killed: number[] = [];
    for (const identity of left) {
      // Checked right before the signal: a recycled PID must never be killed.
      if (!isSameProcess(identity)) continue;
      try {
        process.kill(identity.pid, 'SIGKILL');
        killed.push(identity.pid);
      } catch {
        // Gone in the meantime, or not ours to signal.
      }
    }
    const killDeadline = Date.now() + (options.killWaitMs ?? 2_000);
    left = this.live();
    while (left.length > 0 && Date.now() < killDeadline) {
      await sleep(pollMs);
      left = this.live();
    }
    return { killed, survivors: left.map((identity) => identity.pid) };
  }

  /** SIGKILLs every remembered live descendant now, without waiting (host exit, actor cleanup). */
  killAllNow(): void {
    for (const identity of this.live()) {
      try {
        process.kill(identity.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private live(): ProcessIdentity[] {
    return [...this.known.values()].filter((identity) => isSameProcess(identity));
  }

  private remember(pid: number): void {
    if (this.known.has(pid)) return;
    const identity = identify(pid);
    if (identity) this.known.set(pid, identity);
  }

  private collectMarked(): void {
    const marker = this.options.marker;
    if (!marker) return;
    for (const pid of pidsWithEnv(marker.name, marker.value)) if (pid !== this.rootPid) this.remember(pid);
  }
}
