// The human summary, bench/results/latest.md: tables of medians and percentiles, the ratios against the
// baselines measured in the same run, the machine, and every gap said plainly.
import type { PairedResult } from './paired.js';
import type { MachineInfo } from './support/machine.js';
import type { QuietResult } from './support/proc-cpu.js';
import type { ThroughputResult } from './throughput.js';
import type { LifecycleResult, StatusStep } from './lifecycle.js';

export interface RunRecord {
  startedAt: string;
  durationMs: number;
  machine: MachineInfo;
  loadAvg1mAfter: number;
  files: string[];
  gatewayReadyMs?: number;
  gatewaySettle?: QuietResult;
  throughput?: ThroughputResult;
  throughputError?: string;
  lifecycle?: LifecycleResult;
  lifecycleError?: string;
}

export function renderMarkdown(run: RunRecord): string {
  const m = run.machine;
  const lines: string[] = [
    '# Benchmarks: latest run',
    '',
    `Run ${run.startedAt}, ${(run.durationMs / 1000).toFixed(0)} s in total; results: ${run.files.map((f) => `\`${f}\``).join(', ')}.`,
    '',
    `Machine: ${m.cpuCount} x ${m.cpuModel}, ${m.totalMemMiB} MiB, ${m.platform}/${m.arch} ${m.kernel}; ` +
      `load average (1 min) ${m.loadAvg1m} before, ${run.loadAvg1mAfter} after (other work shares these cores).`,
    `Host Node ${m.hostNode} (bench and clients), gateway Node ${m.gatewayNode}, openclaw ${m.openclaw}, ` +
      `@openclaw/gateway-client ${m.referenceClient}, commit ${m.gitCommit}${m.gitDirty ? ' (working tree had uncommitted changes)' : ''}.`,
    '',
  ];
  lines.push(...renderThroughput(run));
  lines.push(...renderLifecycle(run));
  return lines.join('\n') + '\n';
}

function renderThroughput(run: RunRecord): string[] {
  const t = run.throughput;
  if (t === undefined) return ['## Bench 1: control-connection throughput', '', `Not run: ${run.throughputError ?? 'skipped'}.`, ''];
  const o = t.options;
  const out = [
    '## Bench 1: control-connection throughput',
    '',
    `One real gateway (ready ${run.gatewayReadyMs ?? '?'} ms after spawn; measured once its CPU fell below 10% of a core, ` +
      `${settleText(run.gatewaySettle)}), method \`${o.method}\`, scopes operator.admin. ` +
      `${o.rounds} rounds, client order rotated each round; per round and client: new connection, ${o.warmupCalls} warm-up calls, ` +
      `${o.sequentialCalls} sequential calls, ${o.burstCalls} calls issued at once, then ${o.windowInFlight} in flight for ${o.windowDurationMs} ms, ` +
      `then, once the gateway's CPU is below 10% of a core again, ${o.handshakes ?? 0} more open/close cycles; a round's handshake is the median of its ${(o.handshakes ?? 0) + 1} opens (to hello-ok), the table's the median over rounds. ` +
      'calls/s are medians over rounds; latency percentiles pool every call of every round (nearest rank); burst latency runs from the start of the burst. ' +
      'CPU per call: this client process (user + system) and the gateway process (/proc, 10 ms ticks).',
    '',
    '| client | handshake ms | seq calls/s (min-max) | seq p50 / p99 ms | burst ok/s | burst ok / refused (of n) | burst p50 / p99 ms | window calls/s (min-max) | window p50 / p99 ms | client CPU us/call seq / window | gateway CPU us/call seq / window |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of t.clients) {
    const s = c.summary;
    if (s === undefined) {
      out.push(`| ${c.kind} | GAP: ${c.gap ?? 'no rounds completed'} | | | | | | | | | |`);
      continue;
    }
    const bursts = c.rounds.map((r) => r.burst);
    const okMedian = medianOf(bursts.map((b) => b.ok));
    const otherErrors = sumErrors(
      c.rounds.map((r) => r.burst.errors),
      'UNAVAILABLE',
    );
    out.push(
      `| ${c.kind} | ${s.handshakeMsMedian.toFixed(1)} | ${s.sequentialCallsPerSecMedian} (${s.sequentialCallsPerSecRange.join('-')}) | ${s.sequentialLatency.p50Ms} / ${s.sequentialLatency.p99Ms} | ` +
        `${s.burstOkPerSecMedian} | ${okMedian} / ${s.burstRefusedMedian}${otherErrors ? ` (+${otherErrors} other errors)` : ''} (of ${o.burstCalls}) | ` +
        `${s.burstLatency.p50Ms} / ${s.burstLatency.p99Ms} | ${s.windowCallsPerSecMedian} (${s.windowCallsPerSecRange.join('-')})${s.windowErrorsTotal ? ` (${s.windowErrorsTotal} errors)` : ''} | ` +
        `${s.windowLatency.p50Ms} / ${s.windowLatency.p99Ms} | ${s.sequentialCpuUsPerCallMedian.toFixed(0)} / ${s.windowCpuUsPerCallMedian.toFixed(0)} | ` +
        `${fmtUs(s.sequentialGatewayCpuUsPerCallMedian)} / ${fmtUs(s.windowGatewayCpuUsPerCallMedian)} |`,
    );
  }
  out.push(
    '',
    'What "ours" measured: ' + (t.clients.find((c) => c.kind === 'ours')?.label ?? t.clients.find((c) => c.kind === 'ours')?.gap ?? 'not run') + '.',
    '',
  );
  out.push('Ratios (ours / baseline; for calls/s above 1 is faster, for ms below 1 is faster):', '');
  out.push('| figure | ours / raw | ours / reference |', '| --- | --- | --- |');
  const figures = ['sequentialCallsPerSec', 'sequentialP50Ms', 'sequentialP99Ms', 'burstOkPerSec', 'windowCallsPerSec', 'handshakeMs'];
  for (const f of figures) out.push(`| ${f} | ${fmt(t.ratios[`${f}.ours/raw`])} | ${fmt(t.ratios[`${f}.ours/reference`])} |`);
  out.push('');
  if (t.paired !== undefined) out.push(...renderPaired(t.paired));
  return out;
}

function renderLifecycle(run: RunRecord): string[] {
  const l = run.lifecycle;
  if (l === undefined) return ['## Bench 2: lifecycle', '', `Not run: ${run.lifecycleError ?? 'skipped'}.`, ''];
  const s = l.summary;
  const out = [
    '## Bench 2: lifecycle',
    '',
    `n = ${l.options.iterations} per side, fresh state dir and port each, order alternating per iteration. Oracle: spawn the gateway ` +
      `(same node, entry, flags and embedding env) and retry connect + handshake every ${l.options.oracleRetryIntervalMs} ms until hello-ok, ` +
      "timed from just before spawn(). Supervisor: `createGatewaySupervisor({ mode: 'managed', stateDir, port, nodePath, openclawEntry, skipChannels: true })`, " +
      'timed from start() to its resolution; then SIGKILL of the child to status `running` with a new pid. ' +
      'Oracle respawn: SIGKILL its gateway, wait until it and its descendants are gone, spawn again on the same state dir and port, ' +
      `retry every ${l.options.oracleRetryIntervalMs} ms until hello-ok (a second boot of a state dir is faster than the first).`,
    '',
    '| measure | median ms | runs (ms) |',
    '| --- | --- | --- |',
    `| oracle cold start (spawn to hello-ok) | ${fmt(s.oracleColdStartMsMedian)} | ${l.oracle.map((r) => r.coldStartMs ?? `error: ${r.error}`).join(', ')} |`,
    `| supervisor start() to ready | ${fmt(s.supervisorColdStartMsMedian)} | ${l.supervisor.map((r) => r.coldStartMs ?? `error: ${r.error}`).join(', ') || 'none'} |`,
    `| oracle SIGKILL to hello-ok of a respawn | ${fmt(s.oracleRespawnMsMedian)} | ${l.oracle.map((r) => r.respawnMs ?? `error: ${r.error}`).join(', ')} |`,
    `| oracle SIGKILL to old gateway and descendants gone | ${fmt(medianOf(l.oracle.map((r) => r.respawnExitMs)))} | ${l.oracle.map((r) => r.respawnExitMs ?? '-').join(', ')} |`,
    `| supervisor SIGKILL to running (new pid) | ${fmt(s.killToReadyMsMedian)} | ${l.supervisor.map((r) => r.killToReadyMs ?? `error: ${r.error}`).join(', ') || 'none'} |`,
    `| oracle stop (SIGTERM to exit, respawned gateway) | ${fmt(medianOf(l.oracle.map((r) => r.stopMs)))} | ${l.oracle.map((r) => r.stopMs ?? '-').join(', ')} |`,
    `| supervisor stop() | ${fmt(medianOf(l.supervisor.map((r) => r.stopMs)))} | ${l.supervisor.map((r) => r.stopMs ?? '-').join(', ') || 'none'} |`,
    '',
    `Overheads: start() vs oracle ${fmtSigned(s.coldStartOverheadMs)} ms (ratio ${fmt(s.coldStartRatio)}); ` +
      `SIGKILL-to-running vs the supervisor's own cold start ${fmtSigned(s.killToReadyOverheadVsColdStartMs)} ms (ratio ${fmt(s.killToReadyRatioVsColdStart)}), ` +
      `vs the oracle cold start ratio ${fmt(s.killToReadyRatioVsOracleColdStart)}; ` +
      `vs the oracle's own SIGKILL-and-respawn ${fmtSigned(s.killToReadyOverheadVsOracleRespawnMs)} ms (ratio ${fmt(s.killToReadyRatioVsOracleRespawn)}).`,
    '',
  ];
  out.push('Supervisor status timelines (ms since start() / since the SIGKILL):', '');
  for (const r of l.supervisor) {
    if (r.startTimeline && r.startTimeline.length > 0) out.push(`- iteration ${r.iteration} start(): ${steps(r.startTimeline)}`);
    if (r.timeline && r.timeline.length > 0) out.push(`- iteration ${r.iteration} after SIGKILL: ${steps(r.timeline)}`);
    if (r.aliveAtStopPids && r.aliveAtStopPids.length > 0)
      out.push(`- iteration ${r.iteration}: PIDs of its state dir alive when stop() resolved: ${r.aliveAtStopPids.join(', ')}`);
    if (r.leftoverPids && r.leftoverPids.length > 0)
      out.push(`- iteration ${r.iteration}: PIDs still alive 2.5 s after stop(): ${r.leftoverPids.join(', ')} (stopped by the bench)`);
    if (r.error) out.push(`- iteration ${r.iteration} error: ${r.error}`);
  }
  out.push('');
  return out;
}

function steps(timeline: StatusStep[]): string {
  return timeline.map((t) => `${t.atMs} ${t.state}${t.phase ? `/${t.phase}` : ''}${t.pid ? ` pid ${t.pid}` : ''}`).join(' -> ');
}

function medianOf(values: (number | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function sumErrors(list: Record<string, number>[], except: string): number {
  return list.reduce((sum, errors) => sum + Object.entries(errors).reduce((s, [code, n]) => (code === except ? s : s + n), 0), 0);
}

function settleText(settle: QuietResult | undefined): string {
  if (settle === undefined) return 'not checked';
  if (settle.quiet) return `${settle.waitedMs} ms later`;
  return `which it had not done after ${settle.waitedMs} ms (last ${settle.lastCpuPct ?? '?'}%), measured anyway`;
}

function fmtUs(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(0);
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : String(value);
}

function fmtSigned(value: number | null): string {
  return value === null ? 'n/a' : value >= 0 ? `+${value}` : String(value);
}

/** The goal figures, from pairs of interleaved blocks (bench/paired.ts). */
function renderPaired(p: PairedResult): string[] {
  const o = p.options;
  return [
    '### Goal figures: ours against raw, paired',
    '',
    `Both clients open at once on the same gateway, taking turns in ABBA order (raw, ours, ours, raw): ${o.sequentialPairs} pairs of ` +
      `${o.blockCalls}-call sequential blocks after ${o.warmupCalls} warm-up calls each, then ${o.handshakePairs} pairs of open-to-hello-ok ` +
      'handshakes (each followed by a close). A figure is the median of the per-pair ratios (so a burst of machine noise lands on both ' +
      'clients of a pair), with the middle half of the ratios beside it; p50 pools every call of the blocks.',
    '',
    '| figure | goal | ours / raw | middle half of pairs | ours | raw |',
    '| --- | --- | --- | --- | --- | --- |',
    `| sequential calls/s | at least 0.95 | ${p.sequentialCallsPerSecRatio} | ${p.sequentialRatioIqr.join(' - ')} | | |`,
    `| sequential p50 | at most 1.05 | ${p.sequentialP50Ms.ratio} | | ${p.sequentialP50Ms.ours} ms | ${p.sequentialP50Ms.raw} ms |`,
    `| handshake: new supervisor to running, against new socket to hello-ok | at most 1.3 | ${p.handshakeRatio} | ${p.handshakeRatioIqr.join(' - ')} | ${p.handshakeMedianMs.ours} ms | ${p.handshakeMedianMs.raw} ms |`,
    `| handshake: start() of a supervisor built once, against new socket to hello-ok | at most 1.3 | ${p.startRatio} | ${p.startRatioIqr.join(' - ')} | ${p.startMedianMs.ours} ms | ${p.startMedianMs.raw} ms |`,
    '',
  ];
}
