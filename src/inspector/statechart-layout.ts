// Lays a machine definition out as boxes and routed arrows with elkjs (the layered algorithm, compound
// states laid out with their children, edges routed across hierarchy levels). The result is plain JSON
// in root coordinates: the SVG renderer (statechart-svg.ts) draws it for the inspector page and for the
// pictures in docs/, so both come from one layout. Runs in Node: the page never loads elkjs.
import elkBundle from 'elkjs/lib/elk.bundled.js';
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { StateGraphNode } from './machine-graph.js';

export interface ChartNode {
  id: string;
  /** The state's key (the label); the root shows the machine id. */
  label: string;
  /** `atomic`, `compound`, `parallel`, `final`, `history`, or `initial` (the pseudo-state dot). */
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
  /** Invoked actors (`⟳ id`) and tags, drawn under the label. */
  invokes: string[];
}

export interface ChartEdge {
  /** `<source>|<event>|<target>`: what the page matches a taken transition against. */
  id: string;
  source: string;
  target: string;
  event: string;
  /** The event, `after <delay>`, `done: <actor>` or `error: <actor>`, with `[guard]` when guarded. */
  label: string;
  points: Array<{ x: number; y: number }>;
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface ChartLayout {
  machineId: string;
  width: number;
  height: number;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

// Text metrics without a DOM: a monospace face at 11 px is about 6.6 px per character.
const CHAR_WIDTH_PX = 6.6;
const LINE_HEIGHT_PX = 15;
const INITIAL_DOT_PX = 10;

/** The transition label shown on an arrow (shared with the Mermaid text). */
export function transitionLabel(event: string, guard?: string): string {
  const base = (event === '' ? 'always' : event).replace(/^xstate\.after\.([^.]+)\..*/, 'after $1').replace(/^xstate\.(done|error)\.actor\./, '$1: ');
  return guard ? `${base} [${guard}]` : base;
}

/** The id of an edge as the page and the docs name it. */
export function edgeId(source: string, event: string, target: string): string {
  return `${source}|${event}|${target}`;
}

// elkjs is CommonJS: under NodeNext its default import is `module.exports`, whose `default` is the class.
const ElkConstructor = elkBundle.default;
let elk: ELK | undefined;

export async function layoutStatechart(definition: StateGraphNode): Promise<ChartLayout> {
  elk ??= new ElkConstructor();
  const edges: ElkExtendedEdge[] = [];
  const meta = new Map<string, { node: StateGraphNode | undefined; depth: number; type: string }>();
  const seenEdges = new Set<string>();

  const toElk = (node: StateGraphNode, depth: number): ElkNode => {
    meta.set(node.id, { node, depth, type: node.type });
    const invokes = node.invokes.map((i) => `⟳ ${i.id}`);
    const lines = [node.key, ...invokes];
    const labelWidth = Math.max(...lines.map((l) => l.length)) * CHAR_WIDTH_PX + 16;
    const children = node.states.map((child) => toElk(child, depth + 1));
    if (node.initial && node.type !== 'parallel') {
      const initialId = `${node.id}#initial`;
      meta.set(initialId, { node: undefined, depth: depth + 1, type: 'initial' });
      children.unshift({ id: initialId, width: INITIAL_DOT_PX, height: INITIAL_DOT_PX });
      addEdge(initialId, '', `${node.id}.${node.initial}`);
    }
    for (const t of node.transitions) {
      for (const target of t.targets) addEdge(node.id, t.event, target, t.guard);
    }
    const headerPx = lines.length * LINE_HEIGHT_PX + 8;
    if (children.length === 0) return { id: node.id, width: Math.max(70, labelWidth), height: Math.max(34, headerPx) };
    return {
      id: node.id,
      children,
      layoutOptions: {
        'elk.padding': `[top=${headerPx + 6},left=12,bottom=12,right=12]`,
        'elk.nodeSize.minimum': `(${labelWidth}, ${headerPx})`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        ...(node.type === 'parallel' ? { 'elk.direction': 'RIGHT' } : {}),
      },
    };
  };

  function addEdge(source: string, event: string, target: string, guard?: string): void {
    let id = edgeId(source, event, target);
    // The same event can leave one state twice (guarded alternatives): keep both arrows.
    for (let n = 2; seenEdges.has(id); n++) id = `${edgeId(source, event, target)}#${n}`;
    seenEdges.add(id);
    // Initial arrows carry no label; an eventless (`always`) transition is labelled as such.
    const text = source.endsWith('#initial') ? '' : transitionLabel(event, guard);
    edges.push({
      id,
      sources: [source],
      targets: [target],
      ...(text === '' ? {} : { labels: [{ text, width: text.length * CHAR_WIDTH_PX + 6, height: LINE_HEIGHT_PX }] }),
    });
  }

  const root = toElk(definition, 0);
  const graph: ElkNode = {
    id: '__chart__',
    children: [root],
    edges,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '3',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
  };
  const laid = await elk.layout(graph);

  const nodes: ChartNode[] = [];
  const walk = (n: ElkNode) => {
    const m = meta.get(n.id);
    if (m) {
      const node = m.node;
      nodes.push({
        id: n.id,
        label: node ? (m.depth === 0 ? definition.id : node.key) : '',
        type: node ? (node.states.length > 0 && node.type === 'compound' ? 'compound' : node.type) : 'initial',
        x: round(n.x ?? 0),
        y: round(n.y ?? 0),
        width: round(n.width ?? 0),
        height: round(n.height ?? 0),
        depth: m.depth,
        invokes: node ? node.invokes.map((i) => i.id) : [],
      });
    }
    for (const child of n.children ?? []) walk(child);
  };
  walk(laid);

  const chartEdges: ChartEdge[] = [];
  for (const e of laid.edges ?? []) {
    const [source] = e.sources;
    const [target] = e.targets;
    const section = e.sections?.[0];
    if (!source || !target || !section) continue;
    const label = e.labels?.[0];
    const event = e.id.split('|')[1] ?? '';
    chartEdges.push({
      id: e.id,
      source,
      target,
      event,
      label: label?.text ?? '',
      points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => ({ x: round(p.x), y: round(p.y) })),
      ...(label
        ? { labelBox: { x: round(label.x ?? 0), y: round(label.y ?? 0), width: round(label.width ?? 0), height: round(label.height ?? 0) } }
        : {}),
    });
  }
  return { machineId: definition.id, width: round(laid.width ?? 0), height: round(laid.height ?? 0), nodes, edges: chartEdges };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
