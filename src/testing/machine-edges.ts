// The transitions of a machine *definition*, enumerated from `machine.root`, and a stable key per
// transition so a model test can prove each one was taken by a real actor. Keys are strings built from
// state node ids, so they match across `machine.provide()` copies of the same definition.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** One transition of the definition: `source --event [guard]--> targets`. */
export interface MachineEdge {
  key: string;
  /** Id of the state node that declares the transition. */
  source: string;
  /** Event descriptor (`socket.closed`, `socket.*`, `xstate.after.<delay>.<id>`), or `always`. */
  event: string;
  /** Target state node ids; empty for a targetless transition (actions only). */
  targets: string[];
  /** The guard's name, when there is one. */
  guard: string | undefined;
}

/** Every transition declared anywhere in the machine: `on`, `after`, invoke `onDone`/`onError`, `always`. */
export function listMachineEdges(machine: AnyStateMachine): MachineEdge[] {
  const edges: MachineEdge[] = [];
  for (const node of listStateNodes(machine)) {
    for (const transitions of node.transitions.values()) {
      for (const transition of transitions) edges.push(edgeOf(transition));
    }
    for (const transition of node.always ?? []) edges.push(edgeOf(transition));
  }
  return edges;
}

/** Ids of every state node below the root (compound and atomic). */
export function listStateIds(machine: AnyStateMachine): string[] {
  return listStateNodes(machine)
    .filter((node) => node !== machine.root)
    .map((node) => node.id);
}

/** The key of a transition definition, as found in `@xstate.microstep` inspection events. */
export function edgeKeyOf(transition: AnyTransitionDefinition): string {
  return edgeOf(transition).key;
}

function edgeOf(transition: AnyTransitionDefinition): MachineEdge {
  const source = transition.source;
  const isAlways = source.always?.includes(transition) ?? false;
  const event = isAlways ? 'always' : transition.eventType;
  const siblings = isAlways ? (source.always ?? []) : (source.transitions.get(transition.eventType) ?? []);
  const targets = (transition.target ?? []).map((node: AnyStateNode) => node.id);
  const guard = guardName(transition.guard);
  // The position only matters (and only shows) when one event has several candidate transitions.
  const position = siblings.length > 1 ? `#${siblings.indexOf(transition)}` : '';
  const key = `${source.id}: ${event}${position}${guard ? ` [${guard}]` : ''} -> ${targets.join(', ') || '(stay)'}`;
  return { key, source: source.id, event, targets, guard };
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  // Inline combinators (and/or/not/stateIn) are functions named after themselves.
  if (typeof guard === 'function') return guard.name || 'inline';
  return 'guard';
}

function listStateNodes(machine: AnyStateMachine): AnyStateNode[] {
  const nodes: AnyStateNode[] = [];
  const visit = (node: AnyStateNode): void => {
    nodes.push(node);
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(machine.root);
  return nodes;
}
