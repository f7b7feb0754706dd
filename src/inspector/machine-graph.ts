// A machine definition as plain JSON (states, transitions with guards, delays, invokes), for the inspector
// page and the docs' statechart pictures. Walks `machine.root` directly: `toDirectedGraph` drops guards.
import type { AnyStateMachine } from 'xstate';

export interface StateGraphNode {
  id: string;
  key: string;
  type: string;
  initial?: string;
  tags: string[];
  /** The state's `meta` when it is plain data (`lifecycle`, `phase`): what status cards show. */
  meta?: Record<string, string | number | boolean>;
  invokes: Array<{ id: string; src: string }>;
  transitions: Array<{ event: string; targets: string[]; guard?: string; actions: string[] }>;
  states: StateGraphNode[];
}

interface StateNodeShape {
  id: string;
  key: string;
  type: string;
  tags: string[];
  meta?: unknown;
  initial?: { target: Array<{ key: string }> };
  invoke: Array<{ id: string; src: unknown }>;
  transitions: Map<string, TransitionShape[]>;
  always?: TransitionShape[];
  states: Record<string, StateNodeShape>;
}

interface TransitionShape {
  eventType: string;
  target?: Array<{ id: string }>;
  guard?: unknown;
  actions: unknown[];
}

export function describeMachine(machine: AnyStateMachine): StateGraphNode {
  return describeNode(machine.root as unknown as StateNodeShape);
}

function describeNode(node: StateNodeShape): StateGraphNode {
  const transitions: StateGraphNode['transitions'] = [];
  for (const list of node.transitions.values()) for (const t of list) transitions.push(describeTransition(t));
  for (const t of node.always ?? []) transitions.push(describeTransition(t));
  const initial = node.initial?.target[0]?.key;
  const meta = plainMeta(node.meta);
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    ...(initial === undefined ? {} : { initial }),
    tags: [...node.tags],
    ...(meta === undefined ? {} : { meta }),
    invokes: node.invoke.map((i) => ({ id: i.id, src: typeof i.src === 'string' ? i.src : 'inline' })),
    transitions,
    states: Object.values(node.states).map(describeNode),
  };
}

function plainMeta(meta: unknown): Record<string, string | number | boolean> | undefined {
  if (!meta || typeof meta !== 'object') return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function describeTransition(t: TransitionShape): StateGraphNode['transitions'][number] {
  const guard = nameOf(t.guard);
  return {
    event: t.eventType,
    targets: (t.target ?? []).map((n) => n.id),
    ...(guard === undefined ? {} : { guard }),
    actions: t.actions.map((a) => nameOf(a) ?? 'inline'),
  };
}

function nameOf(x: unknown): string | undefined {
  if (x === undefined || x === null) return undefined;
  if (typeof x === 'string') return x;
  if (typeof x === 'object' && typeof (x as { type?: unknown }).type === 'string') return (x as { type: string }).type;
  if (typeof x === 'function') return x.name || 'inline';
  return undefined;
}

/** Every (source, event, target) edge of a definition: what model-based tests must cover. */
export function listEdges(node: StateGraphNode): Array<{ source: string; event: string; target: string }> {
  const edges: Array<{ source: string; event: string; target: string }> = [];
  const walk = (n: StateGraphNode) => {
    for (const t of n.transitions) {
      for (const target of t.targets.length > 0 ? t.targets : [n.id]) edges.push({ source: n.id, event: t.event, target });
    }
    n.states.forEach(walk);
  };
  walk(node);
  return edges;
}

/** Mermaid stateDiagram-v2 text of a definition (docs/architecture.md pictures). */
export function toMermaid(node: StateGraphNode): string {
  const lines = ['stateDiagram-v2'];
  const safe = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');
  const walk = (n: StateGraphNode, indent: string) => {
    if (n.initial) lines.push(`${indent}[*] --> ${safe(`${n.id}.${n.initial}`)}`);
    for (const child of n.states) {
      if (child.states.length > 0) {
        lines.push(`${indent}state "${child.key}" as ${safe(child.id)} {`);
        walk(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${safe(child.id)}`);
      }
    }
    for (const child of n.states) {
      for (const t of child.transitions) {
        const label = t.event.replace(/^xstate\.after\.([^.]+)\..*/, 'after $1').replace(/^xstate\.(done|error)\.actor\./, '$1: ');
        for (const target of t.targets) {
          lines.push(`${indent}${safe(child.id)} --> ${safe(target)}: ${label}${t.guard ? ` [${t.guard}]` : ''}`);
        }
      }
    }
  };
  walk(node, '  ');
  return lines.join('\n');
}
