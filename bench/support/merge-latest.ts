// bench/results/latest.md holds one section per bench. A run of some benches (`--only ...`) replaces their
// sections and keeps the others as they were, each with the line that names the run it came from; a
// section the run skipped ("Not run: skipped.") never replaces a measured one.

/** `# title` and text before the first section, then each `## ` section with its heading. */
function split(markdown: string): { head: string; sections: Map<string, string> } {
  const parts = markdown.split(/^(?=## )/m);
  const head = parts[0]?.startsWith('## ') ? '' : (parts.shift() ?? '');
  const sections = new Map<string, string>();
  for (const part of parts) sections.set(part.slice(0, part.indexOf('\n') === -1 ? part.length : part.indexOf('\n')).trim(), part);
  return { head, sections };
}

const skipped = (section: string) => /^## [^\n]*\n+Not run: skipped\./.test(section);

/**
 * Merges a fresh rendering into the previous latest.md. `runLine` is put under each fresh section's heading
 * (which run, which files), since kept sections come from earlier runs.
 */
export function mergeLatest(previous: string | undefined, fresh: string, runLine: string): string {
  const next = split(fresh);
  const old = previous === undefined ? { head: '', sections: new Map<string, string>() } : split(previous);
  const stamp = (section: string) => section.replace(/^(## [^\n]*\n)/, `$1\n${runLine}\n`);
  const merged = new Map<string, string>();
  for (const [heading, section] of old.sections) {
    const replacement = next.sections.get(heading);
    merged.set(heading, replacement === undefined || skipped(replacement) ? section : stamp(replacement));
  }
  for (const [heading, section] of next.sections) if (!merged.has(heading) && !skipped(section)) merged.set(heading, stamp(section));
  const head = next.head.replace(/^# Benchmarks: latest run\n/, '# Benchmarks: latest runs\n\nEach section names the run it comes from.\n');
  return [head.trimEnd() + '\n\n', ...[...merged.values()].map((s) => s.trimEnd() + '\n\n')].join('').trimEnd() + '\n';
}
