// Bench 2: lifecycle. (1) start() to ready of a managed supervisor against an oracle that spawns the same
// gateway the same way and retries connect + handshake every 10 ms until hello-ok; fresh state dir each,
// order alternating per iteration. (2) SIGKILL of the supervised child to status `running` with a new pid,
// against the cold start of the same supervisor, and against the oracle's own SIGKILL-and-respawn on the
// same state dir (a second boot is faster than a first, so only that compares like with like).
// Overheads are reported in ms and as ratios of medians.
import { oracleRun, type OracleRun } from './lifecycle-oracle.js';
import { supervisedRun, type SupervisorRun } from './lifecycle-supervised.js';
import { median, ratio, round } from './support/stats.js';

export type { OracleRun } from './lifecycle-oracle.js';
export type { StatusStep, SupervisorRun } from './lifecycle-supervised.js';

export interface LifecycleOptions {
  iterations: number;
  oracleRetryIntervalMs: number;
  readyDeadlineMs: number;
  log: (line: string) => void;
}

export const defaultLifecycleOptions: Omit<LifecycleOptions, 'log'> = {
  iterations: 3,
  oracleRetryIntervalMs: 10,
  readyDeadlineMs: 90_000,
};

export interface LifecycleResult {
  options: Omit<LifecycleOptions, 'log'>;
  supervisor: SupervisorRun[];
  oracle: OracleRun[];
  summary: {
    oracleColdStartMsMedian: number | null;
    supervisorColdStartMsMedian: number | null;
    coldStartOverheadMs: number | null;
    coldStartRatio: number | null;
    killToReadyMsMedian: number | null;
    killToReadyOverheadVsColdStartMs: number | null;
    killToReadyRatioVsColdStart: number | null;
    killToReadyRatioVsOracleColdStart: number | null;
    oracleRespawnMsMedian: number | null;
    killToReadyOverheadVsOracleRespawnMs: number | null;
    killToReadyRatioVsOracleRespawn: number | null;
  };
}

export async function runLifecycleBench(options: LifecycleOptions): Promise<LifecycleResult> {
  const { log, ...recorded } = options;
  const supervisor: SupervisorRun[] = [];
  const oracle: OracleRun[] = [];

  for (let i = 0; i < options.iterations; i++) {
    const order = i % 2 === 0 ? (['supervisor', 'oracle'] as const) : (['oracle', 'supervisor'] as const);
    for (const which of order) {
      if (which === 'oracle') {
        const run = await oracleRun(i + 1, options);
        oracle.push(run);
        log(
          `  iteration ${i + 1} oracle: ${run.error ?? ''} ready ${run.coldStartMs ?? '-'} ms (${run.attempts ?? '-'} attempts), ` +
            `SIGKILL->hello-ok ${run.respawnMs ?? '-'} ms, stop ${run.stopMs ?? '-'} ms`,
        );
      } else {
        const run = await supervisedRun(i + 1, options);
        supervisor.push(run);
        log(
          `  iteration ${i + 1} supervisor: ${run.error ?? ''} start ${run.coldStartMs ?? '-'} ms, ` +
            `SIGKILL->running ${run.killToReadyMs ?? '-'} ms, stop ${run.stopMs ?? '-'} ms` +
            (run.leftoverPids?.length ? `, LEFTOVER pids ${run.leftoverPids.join(',')}` : ''),
        );
      }
    }
  }

  const oracleMs = numbers(oracle.map((r) => r.coldStartMs));
  const coldMs = numbers(supervisor.map((r) => r.coldStartMs));
  const killMs = numbers(supervisor.map((r) => r.killToReadyMs));
  const respawnMs = numbers(oracle.map((r) => r.respawnMs));
  const oracleMedian = oracleMs.length ? round(median(oracleMs), 1) : null;
  const coldMedian = coldMs.length ? round(median(coldMs), 1) : null;
  const killMedian = killMs.length ? round(median(killMs), 1) : null;
  const respawnMedian = respawnMs.length ? round(median(respawnMs), 1) : null;
  return {
    options: recorded,
    supervisor,
    oracle,
    summary: {
      oracleColdStartMsMedian: oracleMedian,
      supervisorColdStartMsMedian: coldMedian,
      coldStartOverheadMs: coldMedian !== null && oracleMedian !== null ? round(coldMedian - oracleMedian, 1) : null,
      coldStartRatio: ratio(coldMedian ?? undefined, oracleMedian ?? undefined),
      killToReadyMsMedian: killMedian,
      killToReadyOverheadVsColdStartMs: killMedian !== null && coldMedian !== null ? round(killMedian - coldMedian, 1) : null,
      killToReadyRatioVsColdStart: ratio(killMedian ?? undefined, coldMedian ?? undefined),
      killToReadyRatioVsOracleColdStart: ratio(killMedian ?? undefined, oracleMedian ?? undefined),
      oracleRespawnMsMedian: respawnMedian,
      killToReadyOverheadVsOracleRespawnMs: killMedian !== null && respawnMedian !== null ? round(killMedian - respawnMedian, 1) : null,
      killToReadyRatioVsOracleRespawn: ratio(killMedian ?? undefined, respawnMedian ?? undefined),
    },
  };
}

function numbers(values: (number | undefined)[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}
