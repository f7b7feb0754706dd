// Server-Sent Events for a fleet client, for any `node:http` server. A new client gets the view as one
// `snapshot` event; a client that reconnects with `Last-Event-ID` (the header, or `?lastEventId=`) gets every
// journal entry after it, then live deltas: read and subscribe in the same turn, so nothing falls between.
// A resume from before the oldest kept entry gets a snapshot instead. Event ids are journal seqs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetStore, FleetView, JournalEntry } from '../adapters/store/index.js';

export interface SseSource {
  store(): FleetStore | undefined;
  subscribe(fn: (message: { type: 'snapshot'; seq: number; view: FleetView } | { type: 'delta'; entry: JournalEntry }) => void): () => void;
  view(): FleetView;
}

export function writeSse(req: IncomingMessage, res: ServerResponse, source: SseSource): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const store = source.store();
  const resumeFrom = lastEventIdOf(req);
  const lastSeq = store?.lastSeq() ?? 0;
  if (store !== undefined && resumeFrom !== undefined && resumeFrom <= lastSeq && resumeFrom + 1 >= store.oldestSeq()) {
    let after = resumeFrom;
    for (;;) {
      const page = store.since(after, 1_000);
      for (const entry of page) res.write(frame('delta', entry.seq, entry));
      if (page.length < 1_000) break;
      after = page[page.length - 1]!.seq;
    }
  } else {
    res.write(frame('snapshot', lastSeq, { seq: lastSeq, view: source.view() }));
  }
  const unsubscribe = source.subscribe((message) => {
    if (message.type === 'delta') res.write(frame('delta', message.entry.seq, message.entry));
  });
  const end = (): void => unsubscribe();
  req.on('close', end);
  res.on('close', end);
}

function frame(event: string, id: number, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function lastEventIdOf(req: IncomingMessage): number | undefined {
  const header = req.headers['last-event-id'];
  const fromQuery = new URL(req.url ?? '/', 'http://x').searchParams.get('lastEventId');
  const raw = typeof header === 'string' ? header : fromQuery;
  if (raw === null || raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}
