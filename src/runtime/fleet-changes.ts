// What the gateway says, as changes to the fleet view, each with the identity that makes it unique: a
// snapshot row's identity includes a hash of its content (a re-sync of the same data adds nothing), a live
// event's is its run and sequence (`runId:seq`) or its connection and frame sequence.
import { createHash } from 'node:crypto';
import type { FleetChange, FleetView } from '../adapters/store/index.js';

/** Rows of one kind, replacing what the view holds of that kind: puts for new or changed, deletes for gone. */
export function rosterChanges(kind: string, rows: ReadonlyArray<{ id: string; data: unknown }>, view: FleetView): FleetChange[] {
  const before = view[kind] ?? {};
  const changes: FleetChange[] = [];
  const seen = new Set<string>();
  for (const { id, data } of rows) {
    seen.add(id);
    const hash = contentHash(data);
    if (before[id] !== undefined && contentHash(before[id]) === hash) continue;
    changes.push({ identity: `${kind}:${id}:${hash}`, kind, id, op: 'put', data });
  }
  for (const [id, data] of Object.entries(before)) {
    if (!seen.has(id)) changes.push({ identity: `${kind}:${id}:deleted:${contentHash(data)}`, kind, id, op: 'delete', data: null });
  }
  return changes;
}

/** One row (the gateway's health, its readiness) replaced when its content changed. */
export function singleChange(kind: string, id: string, data: unknown, view: FleetView): FleetChange[] {
  const hash = contentHash(data);
  const current = view[kind]?.[id];
  if (current !== undefined && contentHash(current) === hash) return [];
  return [{ identity: `${kind}:${id}:${hash}`, kind, id, op: 'put', data }];
}

/** A live event: journalled under its identity; `health` also replaces the gateway's health row. */
export function eventChanges(event: string, payload: unknown, frameSeq: number | undefined, connId: string | undefined): FleetChange[] {
  const record = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
  const runId = typeof record.runId === 'string' ? record.runId : undefined;
  const runSeq = typeof record.seq === 'number' ? record.seq : undefined;
  const identity =
    runId !== undefined && runSeq !== undefined
      ? `${event}:${runId}:${runSeq}`
      : frameSeq !== undefined && connId !== undefined
        ? `${event}:${connId}:${frameSeq}`
        : `${event}:${contentHash(payload)}`;
  const id = runId ?? (typeof record.sessionKey === 'string' ? record.sessionKey : '');
  const changes: FleetChange[] = [{ identity, kind: event, id, op: 'event', data: payload ?? null }];
  if (event === 'health') changes.push({ identity: `${identity}:row`, kind: 'gateway', id: 'health', op: 'put', data: payload ?? null });
  return changes;
}

function contentHash(data: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(data ?? null))
    .digest('base64url')
    .slice(0, 16);
}
