// Proactive messages: events of a run the host did not start (its `runId` never came back from one of the
// host's own requests) go to the registered handlers, once per `runId:seq` per gateway URL, across
// reconnects and across every connection of the pool, current and future. Both memories are bounded
// windows (insertion order, oldest dropped first).
import type { LoggerLike } from '../config.js';
import type { ProactiveHandler } from './connection-pool-options.js';
import type { EntryParts } from './connection-pool-parts.js';

export interface ProactiveRouter {
  add(handler: ProactiveHandler): () => void;
  /** The host's own request: a `runId` or `idempotencyKey` in its params marks that run as the host's. */
  noteRequest(entry: EntryParts, params: unknown): void;
  /** A result of the host's own request: a `runId` in it marks that run as the host's. */
  noteResult(entry: EntryParts, result: unknown): void;
  route(entry: EntryParts, event: string, payload: unknown, seq: number | undefined): void;
  clear(): void;
}

export function createProactiveRouter(window: number, logger: LoggerLike): ProactiveRouter {
  const handlers = new Set<ProactiveHandler>();
  const ownRuns = new BoundedSet(window);
  const seen = new BoundedSet(window);
  // A run's first events can arrive in the same read as the response that names it, before the request's
  // continuation has noted its runId: events of unknown runs are decided one macrotask later, in order.
  const deferred: Array<{ entry: EntryParts; event: string; payload: unknown; runId: string; frameSeq: number | undefined }> = [];
  let flushing: NodeJS.Immediate | undefined;
  const flush = (): void => {
    flushing = undefined;
    for (const item of deferred.splice(0)) deliver(item.entry, item.event, item.payload, item.runId, item.frameSeq);
  };
  function deliver(entry: EntryParts, event: string, payload: unknown, runId: string, frameSeq: number | undefined): void {
    if (ownRuns.has(`${entry.url}|${runId}`)) return;
    const runSeq = numberField(payload, 'seq') ?? frameSeq;
    // Without a sequence number an event has no identity to de-duplicate by: deliver it.
    if (runSeq !== undefined && !seen.add(`${entry.url}|${runId}:${runSeq}`)) return;
    if (handlers.size === 0) return;
    const message = { url: entry.url, users: [...entry.users], event, payload, runId, seq: runSeq };
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error), event }, 'a proactive handler threw');
      }
    }
  }
  return {
    add(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    noteResult(entry, result) {
      const runId = stringField(result, 'runId');
      if (runId !== undefined) ownRuns.add(`${entry.url}|${runId}`);
    },
    noteRequest(entry, params) {
      const runId = stringField(params, 'runId') ?? stringField(params, 'idempotencyKey');
      if (runId !== undefined) ownRuns.add(`${entry.url}|${runId}`);
    },
    route(entry, event, payload, frameSeq) {
      const runId = stringField(payload, 'runId');
      if (runId === undefined || ownRuns.has(`${entry.url}|${runId}`)) return;
      deferred.push({ entry, event, payload, runId, frameSeq });
      flushing ??= setImmediate(flush);
    },
    clear() {
      if (flushing !== undefined) clearImmediate(flushing);
      flushing = undefined;
      deferred.length = 0;
      handlers.clear();
    },
  };
}

/** A Set that forgets its oldest members beyond `limit`. `add` answers whether the value was new. */
class BoundedSet {
  private readonly values = new Set<string>();
  constructor(private readonly limit: number) {}
  has(value: string): boolean {
    return this.values.has(value);
  }
  add(value: string): boolean {
    if (this.values.has(value)) return false;
    this.values.add(value);
    if (this.values.size > this.limit) {
      const oldest = this.values.values().next().value;
      if (oldest !== undefined) this.values.delete(oldest);
    }
    return true;
  }
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function numberField(value: unknown, field: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}
