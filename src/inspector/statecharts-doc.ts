// The statechart pages of the docs, rendered from the machine definitions themselves so they cannot
// drift: docs/statecharts.md (Mermaid text, drawn by any Markdown viewer) and one SVG picture per
// machine in docs/statecharts/, laid out by the same code that draws the inspector page.
import { allMachines } from '../machines/index.js';
import { describeMachine, listEdges, toMermaid } from './machine-graph.js';
import { layoutStatechart } from './statechart-layout.js';
import { renderStatechartSvg } from './statechart-svg.js';

/** Where the pictures live, relative to docs/. */
export const STATECHART_SVG_DIR = 'statecharts';

export function renderStatechartsDoc(): string {
  const parts = [
    '# Statecharts',
    '',
    'Generated from the machine definitions by `npm run docs:charts`; do not edit by hand. Guards are in',
    'brackets; `after X` is a named delay; transitions that only run actions are not drawn (see the',
    'inspector page or `openclaw-supervisor inspect --format json` for every transition). Each machine has',
    `an SVG picture in \`docs/${STATECHART_SVG_DIR}/\`, laid out by the inspector's own layout code.`,
    '',
  ];
  for (const [name, machine] of Object.entries(allMachines)) {
    const graph = describeMachine(machine);
    parts.push(
      `## ${name}`,
      '',
      `${listEdges(graph).length} transitions. Picture: [${STATECHART_SVG_DIR}/${name}.svg](${STATECHART_SVG_DIR}/${name}.svg)`,
      '',
      '```mermaid',
      toMermaid(graph),
      '```',
      '',
    );
  }
  return parts.join('\n');
}

/** One SVG per machine of `allMachines`, keyed by its file name under docs/statecharts/. */
export async function renderStatechartSvgs(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, machine] of Object.entries(allMachines)) {
    out.set(`${name}.svg`, `${renderStatechartSvg(await layoutStatechart(describeMachine(machine)))}\n`);
  }
  return out;
}
