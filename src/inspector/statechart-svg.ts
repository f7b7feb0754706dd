// Draws a laid-out statechart (statechart-layout.ts) as one standalone SVG string: rounded boxes for
// states (compound and parallel states contain their children, parallel regions dashed), a dot for each
// initial state, orthogonal arrows with their event, guard or delay as a label. Every state carries
// `data-state="<id>"` and every arrow `data-edge="<id>"`, so the inspector page lights the active states
// and the last transition by toggling classes; the docs use the same output with nothing lit.
import type { ChartLayout, ChartNode } from './statechart-layout.js';

export interface SvgOptions {
  /** State ids drawn as active. */
  active?: ReadonlySet<string>;
}

const STYLE = [
  '.sc-state rect{fill:#ffffff;stroke:#8a94a6;stroke-width:1.2}',
  '.sc-state.compound>rect,.sc-state.parallel>rect{fill:#f6f8fb}',
  '.sc-state.region>rect{stroke-dasharray:5 3}',
  '.sc-state.final>rect{stroke-width:3}',
  '.sc-state text{font:12px ui-monospace,Menlo,Consolas,monospace;fill:#1f2733}',
  '.sc-state text.inv{font-size:10px;fill:#6b7587}',
  '.sc-state.active>rect{stroke:#1f9d6b;stroke-width:2.5;fill:#e7f7ef}',
  '.sc-state.active>text{fill:#0d6b47;font-weight:bold}',
  '.sc-initial{fill:#1f2733}',
  '.sc-edge path{fill:none;stroke:#8a94a6;stroke-width:1.2}',
  '.sc-edge text{font:10.5px ui-monospace,Menlo,Consolas,monospace;fill:#8a5a00}',
  '.sc-edge.last path{stroke:#d9480f;stroke-width:2.5}',
  '.sc-edge.last text{fill:#d9480f;font-weight:bold}',
  '.sc-edge.enabled path{stroke:#1f9d6b}',
].join('');

export function renderStatechartSvg(layout: ChartLayout, options: SvgOptions = {}): string {
  const active = options.active ?? new Set<string>();
  const out: string[] = [];
  const markerId = `sc-arrow-${safeId(layout.machineId)}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" data-machine="${esc(layout.machineId)}" ` +
      `viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}">`,
    `<style>${STYLE}</style>`,
    `<defs><marker id="${markerId}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
      '<path d="M0,0L10,5L0,10z" fill="#8a94a6"/></marker></defs>',
  );
  // Parents before children: a child's box is painted over its parent's.
  const parentTypes = new Map(layout.nodes.map((n) => [n.id, n.type]));
  for (const node of [...layout.nodes].sort((a, b) => a.depth - b.depth)) out.push(drawNode(node, active, parentTypes));
  for (const edge of layout.edges) {
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join('');
    const label = edge.labelBox ? `<text x="${edge.labelBox.x + 2}" y="${edge.labelBox.y + edge.labelBox.height - 4}">${esc(edge.label)}</text>` : '';
    out.push(
      `<g class="sc-edge" data-edge="${esc(edge.id)}" data-source="${esc(edge.source)}"><path d="${d}" marker-end="url(#${markerId})"/>${label}</g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}

function drawNode(node: ChartNode, active: ReadonlySet<string>, types: ReadonlyMap<string, string>): string {
  if (node.type === 'initial') {
    const r = node.width / 2;
    return `<circle class="sc-initial" data-initial="${esc(node.id)}" cx="${node.x + r}" cy="${node.y + r}" r="${r}"/>`;
  }
  const parentId = node.id.slice(0, node.id.lastIndexOf('.'));
  const classes = ['sc-state', node.type];
  if (types.get(parentId) === 'parallel') classes.push('region');
  if (active.has(node.id)) classes.push('active');
  const lines = [`<text x="${node.x + 8}" y="${node.y + 16}">${esc(node.label)}</text>`];
  node.invokes.forEach((id, i) => lines.push(`<text class="inv" x="${node.x + 8}" y="${node.y + 30 + i * 15}">⟳ ${esc(id)}</text>`));
  return (
    `<g class="${classes.join(' ')}" data-state="${esc(node.id)}">` +
    `<rect x="${node.x}" y="${node.y}" width="${node.width}" height="${node.height}" rx="7"/>${lines.join('')}</g>`
  );
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}
