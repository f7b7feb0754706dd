// `openclaw-supervisor inspect`: every statechart as Mermaid (docs/architecture.md is built from this)
// or as the JSON definition the inspector page draws.
import { describeMachine, toMermaid } from '../inspector/machine-graph.js';
import { allMachines } from '../machines/index.js';
import type { CliArgs } from './args.js';

export function runInspectCommand(args: CliArgs): number {
  for (const [name, machine] of Object.entries(allMachines)) {
    const graph = describeMachine(machine);
    if (args.format === 'json') process.stdout.write(`${JSON.stringify({ name, definition: graph })}\n`);
    else process.stdout.write(`%% ${name}\n${toMermaid(graph)}\n\n`);
  }
  return 0;
}
