// Read-only views of the machine's process table, used to find what a gateway left behind. Linux reads
// /proc (cheap, no child process); elsewhere `ps` is asked. The gateway starts a spawn-broker in its own
// session and process group, so group signals miss it: we follow parent links instead, and remember each
// process's start time so a recycled PID is never mistaken for one of ours.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const hasProcFs = process.platform === 'linux' && existsSync('/proc/self/stat');

/** A process as seen once: its PID and the start time that makes (pid, startTime) unique over time. */
export interface ProcessIdentity {
  pid: number;
  /** Clock ticks since boot (Linux); undefined where the platform does not say. */
  startTime: string | undefined;
}

/** True while `pid` exists and is not a zombie (a zombie has exited; only its parent has not looked yet). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!hasProcFs) return true;
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The identity of `pid` now, or undefined if it is gone. */
export function identify(pid: number): ProcessIdentity | undefined {
  if (!hasProcFs) return isProcessAlive(pid) ? { pid, startTime: undefined } : undefined;
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return undefined;
  return { pid, startTime: stat.startTime };
}

/** True while the process recorded as `identity` is still the one running under that PID. */
export function isSameProcess(identity: ProcessIdentity): boolean {
  const now = identify(identity.pid);
  if (!now) return false;
  return identity.startTime === undefined || now.startTime === identity.startTime;
}

/** Direct children of `pid` (every thread's children, since any thread may have forked). */
export function childPidsOf(pid: number): number[] {
  if (!hasProcFs)
    return psTable()
      .filter((p) => p.ppid === pid)
      .map((p) => p.pid);
  const out = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    const text = readText(`/proc/${pid}/task/${task}/children`);
    if (!text) continue;
    for (const part of text.split(' ')) {
      const child = Number(part);
      if (Number.isInteger(child) && child > 0) out.add(child);
    }
  }
  return [...out];
}

/** `pid`'s descendants, breadth first (children, grandchildren, ...), without `pid` itself. */
export function descendantPidsOf(pid: number): number[] {
  const seen = new Set<number>();
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of childPidsOf(next)) {
      if (seen.has(child) || child === pid) continue;
      seen.add(child);
      queue.push(child);
    }
  }
  return [...seen];
}

/** PIDs of live processes whose environment holds `name=value` (readable for our own user's processes). */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  return listPids().filter((pid) => {
    const env = readText(`/proc/${pid}/environ`);
    return env !== undefined && env.split('\0').includes(needle) && isProcessAlive(pid);
  });
}

/** The argv of `pid`, or undefined if it is gone or unreadable. */
export function readCmdline(pid: number): string[] | undefined {
  const text = readText(`/proc/${pid}/cmdline`);
  if (text === undefined) return undefined;
  return text.split('\0').filter((part) => part.length > 0);
}

/** The environment of `pid` as `NAME=value` entries, or undefined if it is gone or unreadable. */
export function readEnviron(pid: number): string[] | undefined {
  const text = readText(`/proc/${pid}/environ`);
  if (text === undefined) return undefined;
  return text.split('\0').filter((part) => part.length > 0);
}

/** Every PID in the table (Linux only; elsewhere from `ps`). */
export function listPids(): number[] {
  if (!hasProcFs) return psTable().map((p) => p.pid);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) out.push(pid);
  }
  return out;
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // The command name sits in parentheses and may itself contain spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: field 3 (state) is index 0, field 22 (starttime) is index 19.
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function psTable(): Array<{ pid: number; ppid: number }> {
  try {
    const text = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8', timeout: 5_000 });
    return text
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter((cols): cols is [number, number] => cols.length === 2 && cols.every(Number.isInteger))
      .map(([pid, ppid]) => ({ pid, ppid }));
  } catch {
    return [];
  }
}
