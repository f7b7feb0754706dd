// CPU time of another process (the gateway) from /proc/<pid>/stat, so a scenario can say what each call
// cost the server as well as the client, and so a run can wait for the gateway's post-ready work to settle
// instead of sleeping a fixed time. Linux only; elsewhere the figures are reported as unavailable.
import { readFileSync } from 'node:fs';

// USER_HZ is 100 on every mainstream Linux build; /proc reports utime and stime in these ticks.
const ticksPerSecond = 100;

/** User + system CPU milliseconds the process (all its threads) has used, or undefined if unreadable. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface QuietResult {
  quiet: boolean;
  waitedMs: number;
  /** CPU use of the last sampling window, percent of one core. */
  lastCpuPct: number | undefined;
}

/** Waits until `pid` used less than `thresholdPct` of a core over `windowMs`, or `maxWaitMs` passed. */
export async function waitForQuiet(
  pid: number,
  options: { thresholdPct?: number; windowMs?: number; maxWaitMs?: number } = {},
): Promise<QuietResult> {
  const thresholdPct = options.thresholdPct ?? 10;
  const windowMs = options.windowMs ?? 1_000;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const startedAt = performance.now();
  let lastCpuPct: number | undefined;
  while (performance.now() - startedAt < maxWaitMs) {
    const before = processCpuMs(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const after = processCpuMs(pid);
    if (before === undefined || after === undefined) return { quiet: false, waitedMs: Math.round(performance.now() - startedAt), lastCpuPct };
    lastCpuPct = Math.round(((after - before) / (performance.now() - t0)) * 1000) / 10;
    if (lastCpuPct < thresholdPct) return { quiet: true, waitedMs: Math.round(performance.now() - startedAt), lastCpuPct };
  }
  return { quiet: false, waitedMs: Math.round(performance.now() - startedAt), lastCpuPct };
}
