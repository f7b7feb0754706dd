// The trace format: JSON lines, a header line first, then one inspection record per line, every line
// with the format version `v`. Records are already sanitised (secrets redacted, depth and size capped)
// before they are written, so a trace file can be attached to a bug report or checked into a test.
import { createWriteStream } from 'node:fs';
import type { InspectionEvent } from 'xstate';
import { scrubSecrets } from '../redact.js';
import { toInspectionRecord, type InspectionRecord } from './inspection-record.js';

export const TRACE_VERSION = 1;

export interface TraceHeader {
  v: typeof TRACE_VERSION;
  kind: 'header';
  product: 'openclaw-supervisor';
  startedAt: number;
}

export type TraceRecord = InspectionRecord & { v: typeof TRACE_VERSION };

export interface Trace {
  header: TraceHeader;
  records: InspectionRecord[];
}

export function traceHeader(startedAt: number): string {
  const header: TraceHeader = { v: TRACE_VERSION, kind: 'header', product: 'openclaw-supervisor', startedAt };
  return JSON.stringify(header);
}

export function traceLine(record: InspectionRecord): string {
  return JSON.stringify({ v: TRACE_VERSION, ...record });
}

/** Parses trace text (JSON lines). Throws naming the line when a line is not a trace line of this version. */
export function parseTrace(text: string): Trace {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let header: TraceHeader | undefined;
  const records: InspectionRecord[] = [];
  lines.forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new TypeError(`trace line ${index + 1}: not JSON`);
    }
    const v = (parsed as { v?: unknown }).v;
    if (v !== TRACE_VERSION) throw new TypeError(`trace line ${index + 1}: version ${String(v)}, expected ${TRACE_VERSION}`);
    if ((parsed as { kind?: unknown }).kind === 'header') {
      header = parsed as TraceHeader;
      return;
    }
    const { v: _version, ...record } = parsed as TraceRecord;
    records.push(record);
  });
  if (!header) throw new TypeError('trace: no header line');
  return { header, records };
}

/** Writes a trace file from inspection events with no page and no port (`run --no-inspect --record FILE`). */
export function createTraceRecorder(file: string, options: { redact?: ReadonlyArray<string | undefined>; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const out = createWriteStream(file, { flags: 'w' });
  out.write(`${traceHeader(now())}\n`);
  let seq = 0;
  let open = true;
  return {
    observe(event: InspectionEvent): void {
      const record = open ? toInspectionRecord(event, ++seq, now()) : undefined;
      if (record) out.write(`${scrubSecrets(traceLine(record), options.redact ?? [])}\n`);
    },
    close(): Promise<void> {
      open = false;
      return new Promise((resolve) => out.end(resolve));
    },
  };
}
