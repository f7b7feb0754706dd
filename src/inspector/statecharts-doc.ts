// The statechart page of the docs, rendered from the machine definitions themselves so it cannot drift.
import { allMachines } from '../machines/index.js';
import { describeMachine, listEdges, toMermaid } from './machine-graph.js';

export function renderStatechartsDoc(): string {
  const parts = [
    '# Statecharts',
    '',
    'Generated from the machine definitions by `npm run docs:charts`; do not edit by hand. Guards are in',
    'brackets; `after X` is a named delay; transitions that only run actions are not drawn (see the',
    'inspector page or `openclaw-supervisor inspect --format json` for every transition).',
    '',
  ];
  for (const [name, machine] of Object.entries(allMachines)) {
    const graph = describeMachine(machine);
    parts.push(`## ${name}`, '', `${listEdges(graph).length} transitions.`, '', '```mermaid', toMermaid(graph), '```', '');
  }
  return parts.join('\n');
}
