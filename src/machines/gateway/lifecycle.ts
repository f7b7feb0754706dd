// The lifecycle name a host sees (stopped, starting, running, reconnecting, stopping, error) is said once,
// in each state's `meta`; this reads it back from any snapshot of the chart.
import type { GatewayStateMeta } from './types.js';

/** What reading the meta needs of a snapshot: kept structural so the reporter and the selectors share it. */
export interface MetaSnapshot {
  getMeta(): Record<string, unknown>;
}

// Snapshots are immutable and each is read by both the lifecycle reporter and the status: read once.
const metaOfSnapshot = new WeakMap<MetaSnapshot, GatewayStateMeta>();

/** The lifecycle meta of the deepest active state that declares one (every leaf does). */
export function lifecycleMetaOf(snapshot: MetaSnapshot): GatewayStateMeta {
  let meta = metaOfSnapshot.get(snapshot);
  if (meta === undefined) {
    meta = deepestLifecycleMeta(snapshot);
    metaOfSnapshot.set(snapshot, meta);
  }
  return meta;
}

function deepestLifecycleMeta(snapshot: MetaSnapshot): GatewayStateMeta {
  let best: { depth: number; meta: GatewayStateMeta } | undefined;
  for (const [id, meta] of Object.entries(snapshot.getMeta())) {
    if (!isLifecycleMeta(meta)) continue;
    const depth = id.split('.').length;
    if (best === undefined || depth > best.depth) best = { depth, meta };
  }
  // Unreachable while every leaf declares meta; `stopped` is the honest fallback for a snapshot in error.
  return best?.meta ?? { lifecycle: 'stopped' };
}

function isLifecycleMeta(meta: unknown): meta is GatewayStateMeta {
  return typeof meta === 'object' && meta !== null && typeof (meta as { lifecycle?: unknown }).lifecycle === 'string';
}
