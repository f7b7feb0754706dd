// Core XState inspection events turned into plain JSON records: what the inspector page streams and what
// tests assert on. Records carry no actor refs, functions or secrets, and are size-capped, so a record can
// be logged or sent anywhere.
import type { InspectionEvent } from 'xstate';

export type InspectionKind = 'actor' | 'event' | 'snapshot' | 'microstep' | 'action' | 'command';

export interface InspectionRecord {
  seq: number;
  at: number;
  kind: InspectionKind;
  /** The actor's session id (unique per actor instance). */
  actorId: string;
  rootId: string;
  systemId?: string;
  parentId?: string;
  /** For `event`: who sent it (absent for events from outside the system). */
  sourceId?: string;
  eventType?: string;
  event?: unknown;
  /** For `snapshot` and `microstep`: the state value after the step, and the actor status. */
  value?: unknown;
  status?: string;
  tags?: string[];
  context?: unknown;
  /** For `snapshot` and `microstep`: the session ids of its live children (the tree as it was then). */
  children?: string[];
  /** For `microstep`: the transitions taken. */
  transitions?: Array<{ source: string; targets: string[]; eventType: string }>;
  /** For `action`: the action's type (named actions only; inline functions show as their name or 'inline'). */
  action?: string;
  /** For `actor`: its id in its parent (the invoke or spawn id) and its machine's id. */
  id?: string;
  machineId?: string;
  /** For `actor`: the input it was created with (sanitised), so a trace can be replayed from it. */
  input?: unknown;
  /** For `command`: what the page asked for, where it came from, and how it ended (absent while running). */
  command?: string;
  source?: string;
  outcome?: 'ok' | 'error';
  error?: string;
}

const SECRET_KEY = /token|secret|password|privatekey|private_key|signature|authorization/i;
const MAX_DEPTH = 5;
const MAX_STRING = 500;
const MAX_ITEMS = 50;

/** Converts one core inspection event; returns undefined for events with nothing to show. */
export function toInspectionRecord(event: InspectionEvent, seq: number, now: number): InspectionRecord | undefined {
  const ref = event.actorRef as unknown as ActorRefShape;
  const base = {
    seq,
    at: now,
    actorId: ref.sessionId,
    rootId: event.rootId,
    ...(ref.systemId === undefined ? {} : { systemId: ref.systemId }),
    ...(ref._parent?.sessionId === undefined ? {} : { parentId: ref._parent.sessionId }),
  };
  switch (event.type) {
    case '@xstate.actor': {
      const logic = ref.logic as { id?: unknown; root?: unknown } | undefined;
      const input = ref.options?.input;
      return {
        ...base,
        kind: 'actor',
        ...(typeof ref.id === 'string' ? { id: ref.id } : {}),
        ...(logic && typeof logic.id === 'string' && logic.root !== undefined ? { machineId: logic.id } : {}),
        ...(input === undefined ? {} : { input: sanitize(input) }),
      };
    }
    case '@xstate.event': {
      const source = event.sourceRef as unknown as ActorRefShape | undefined;
      return {
        ...base,
        kind: 'event',
        eventType: event.event.type,
        event: sanitize(event.event),
        ...(source?.sessionId === undefined ? {} : { sourceId: source.sessionId }),
      };
    }
    case '@xstate.snapshot':
      return { ...base, kind: 'snapshot', eventType: event.event.type, ...describeSnapshot(event.snapshot) };
    case '@xstate.microstep':
      return {
        ...base,
        kind: 'microstep',
        eventType: event.event.type,
        ...describeSnapshot(event.snapshot),
        transitions: event._transitions.map((t) => ({
          source: t.source.id,
          targets: (t.target ?? []).map((n) => n.id),
          eventType: t.eventType,
        })),
      };
    case '@xstate.action':
      return { ...base, kind: 'action', action: event.action.type || 'inline' };
    default:
      return undefined;
  }
}

interface ActorRefShape {
  sessionId: string;
  id?: string;
  logic?: unknown;
  options?: { input?: unknown };
  systemId?: string;
  _parent?: { sessionId?: string };
}

function describeSnapshot(snapshot: unknown): Pick<InspectionRecord, 'value' | 'status' | 'tags' | 'context' | 'children'> {
  const s = snapshot as { value?: unknown; status?: string; tags?: Set<string>; context?: unknown; children?: Record<string, unknown> };
  const children = s.children
    ? Object.values(s.children).flatMap((c) => (c && typeof (c as ActorRefShape).sessionId === 'string' ? [(c as ActorRefShape).sessionId] : []))
    : [];
  return {
    ...(s.children === undefined ? {} : { children }),
    ...(s.value === undefined ? {} : { value: sanitize(s.value) }),
    ...(s.status === undefined ? {} : { status: s.status }),
    ...(s.tags instanceof Set && s.tags.size > 0 ? { tags: [...s.tags] } : {}),
    ...(s.context === undefined ? {} : { context: sanitize(s.context) }),
  };
}

/** JSON-safe, secret-free, size-capped copy of a value. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'undefined' || typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => sanitize(v, depth + 1));
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // Actor refs (context.supervisor, spawned children) become their id.
    if (typeof obj.sessionId === 'string' && typeof obj.send === 'function') return { actor: obj.id ?? obj.sessionId };
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const key of Object.keys(obj)) {
      if (n++ >= MAX_ITEMS) break;
      out[key] = SECRET_KEY.test(key) ? '[redacted]' : sanitize(obj[key], depth + 1);
    }
    return out;
  }
  return undefined;
}
