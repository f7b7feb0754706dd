// Bench 1's goal figures as paired measurements: ours against the raw floor, side by side in time. On a
// shared 2-core machine the noise comes in bursts of seconds; rounds of several seconds per client put a
// burst on one client only, and the ratio of two medians carries it. Here both clients are open at once
// and take turns in short blocks, in ABBA order (raw, ours, ours, raw), so each pair of blocks sees the
// same machine; a figure is the median over pairs of the per-pair ratio.
//
// - sequential: blocks of `blockCalls` sequential calls; a pair's ratio is raw block time / ours block
//   time (ours calls/s relative to raw's). p50: every call's latency, pooled per client.
// - handshake: open-to-hello-ok then close, ABBA as well; a pair's ratio is ours / raw. Ours twice over:
//   a new supervisor to running (construction included), and start() of a supervisor built once (what a
//   host pays on every later connect: the socket, the handshake and the statecharts, no construction).
import { builtPackage } from './support/built-package.js';
import { isGap, openClient, type BenchClient, type ClientKind, type Endpoint } from './support/clients.js';
import { median, percentile, round } from './support/stats.js';

export interface PairedOptions {
  method: string;
  /** Pairs of sequential blocks (each pair: raw, ours, ours, raw = two blocks per client). */
  sequentialPairs: number;
  blockCalls: number;
  /** Pairs of handshakes (each pair: raw, ours, ours, raw). */
  handshakePairs: number;
  /** Calls per client before anything is timed. */
  warmupCalls: number;
}

export const defaultPairedOptions: PairedOptions = {
  method: 'last-heartbeat',
  sequentialPairs: 60,
  blockCalls: 100,
  handshakePairs: 60,
  warmupCalls: 500,
};

export interface PairedResult {
  options: PairedOptions;
  /** ours calls/s / raw calls/s: median of per-pair ratios (above 1 is faster). */
  sequentialCallsPerSecRatio: number;
  /** The middle half of the per-pair ratios, to show their spread. */
  sequentialRatioIqr: [number, number];
  sequentialP50Ms: { raw: number; ours: number; ratio: number };
  /** ours / raw open-to-hello-ok: median of per-pair ratios (below 1 is faster). */
  handshakeRatio: number;
  handshakeRatioIqr: [number, number];
  handshakeMedianMs: { raw: number; ours: number };
  /** ours / raw, where ours is start() to running of a supervisor built once (then stop()). */
  startRatio: number;
  startRatioIqr: [number, number];
  startMedianMs: { raw: number; ours: number };
}

export async function runPairedComparison(endpoint: Endpoint, options: PairedOptions, log: (line: string) => void): Promise<PairedResult> {
  const raw = await open('raw', endpoint);
  const ours = await open('ours', endpoint);
  const latencies: Record<'raw' | 'ours', number[]> = { raw: [], ours: [] };
  const sequentialRatios: number[] = [];
  try {
    for (const client of [raw, ours]) for (let i = 0; i < options.warmupCalls; i++) await client.call(options.method, {});
    const block = async (client: BenchClient, kind: 'raw' | 'ours'): Promise<number> => {
      const startedAt = performance.now();
      for (let i = 0; i < options.blockCalls; i++) {
        const t0 = performance.now();
        const code = await client.call(options.method, {});
        if (code !== null) throw new Error(`${kind}: ${options.method} failed with ${code}`);
        latencies[kind].push(performance.now() - t0);
      }
      return performance.now() - startedAt;
    };
    for (let pair = 0; pair < options.sequentialPairs; pair++) {
      const rawFirst = await block(raw, 'raw');
      const oursBoth = (await block(ours, 'ours')) + (await block(ours, 'ours'));
      const rawLast = await block(raw, 'raw');
      sequentialRatios.push((rawFirst + rawLast) / oursBoth);
    }
  } finally {
    await Promise.all([raw.close(), ours.close()]);
  }

  const handshakes: Record<'raw' | 'ours', number[]> = { raw: [], ours: [] };
  const handshakeRatios: number[] = [];
  const timeOpen = async (kind: 'raw' | 'ours'): Promise<number> => {
    const startedAt = performance.now();
    const client = await open(kind, endpoint);
    const ms = performance.now() - startedAt;
    await client.close();
    handshakes[kind].push(ms);
    return ms;
  };
  // Two unmeasured pairs first: the first opens of a process load code that later ones reuse.
  for (let pair = -2; pair < options.handshakePairs; pair++) {
    const rawFirst = await timeOpen('raw');
    const oursBoth = (await timeOpen('ours')) + (await timeOpen('ours'));
    const rawLast = await timeOpen('raw');
    if (pair >= 0) handshakeRatios.push(oursBoth / (rawFirst + rawLast));
  }
  const warm = (samples: number[]) => samples.slice(4);

  // The same pairs against start() of one supervisor, stopped after each.
  const { createGatewaySupervisor } = await builtPackage();
  const built = createGatewaySupervisor({ mode: 'attach', url: endpoint.url, token: endpoint.token, scopes: ['operator.admin'] });
  const starts: Record<'raw' | 'ours', number[]> = { raw: [], ours: [] };
  const startRatios: number[] = [];
  const timeStart = async (): Promise<number> => {
    const startedAt = performance.now();
    await built.start();
    const ms = performance.now() - startedAt;
    await built.stop();
    starts.ours.push(ms);
    return ms;
  };
  const timeRaw = async (): Promise<number> => {
    const ms = await timeOpen('raw');
    starts.raw.push(ms);
    return ms;
  };
  try {
    for (let pair = -2; pair < options.handshakePairs; pair++) {
      const rawFirst = await timeRaw();
      const oursBoth = (await timeStart()) + (await timeStart());
      const rawLast = await timeRaw();
      if (pair >= 0) startRatios.push(oursBoth / (rawFirst + rawLast));
    }
  } finally {
    await built.dispose();
  }

  const result: PairedResult = {
    options,
    sequentialCallsPerSecRatio: round(median(sequentialRatios)),
    sequentialRatioIqr: iqr(sequentialRatios),
    sequentialP50Ms: {
      raw: round(p50(latencies.raw)),
      ours: round(p50(latencies.ours)),
      ratio: round(p50(latencies.ours) / p50(latencies.raw)),
    },
    handshakeRatio: round(median(handshakeRatios)),
    handshakeRatioIqr: iqr(handshakeRatios),
    handshakeMedianMs: { raw: round(median(warm(handshakes.raw))), ours: round(median(warm(handshakes.ours))) },
    startRatio: round(median(startRatios)),
    startRatioIqr: iqr(startRatios),
    startMedianMs: { raw: round(median(warm(starts.raw))), ours: round(median(warm(starts.ours))) },
  };
  log(
    `  paired: sequential ours/raw calls/s ${result.sequentialCallsPerSecRatio} (IQR ${result.sequentialRatioIqr.join('-')}), ` +
      `p50 ${result.sequentialP50Ms.ours} / ${result.sequentialP50Ms.raw} ms = ${result.sequentialP50Ms.ratio}; ` +
      `handshake ours/raw ${result.handshakeRatio} (IQR ${result.handshakeRatioIqr.join('-')}; ${result.handshakeMedianMs.ours} / ${result.handshakeMedianMs.raw} ms); ` +
      `start() of a built supervisor ours/raw ${result.startRatio} (IQR ${result.startRatioIqr.join('-')}; ${result.startMedianMs.ours} / ${result.startMedianMs.raw} ms)`,
  );
  return result;
}

async function open(kind: ClientKind, endpoint: Endpoint): Promise<BenchClient> {
  const client = await openClient(kind, endpoint);
  if (isGap(client)) throw new Error(`${kind}: ${client.gap}`);
  return client;
}

function p50(samples: number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

function iqr(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  return [round(percentile(sorted, 25)), round(percentile(sorted, 75))];
}
