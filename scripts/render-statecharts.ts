// Writes docs/statecharts.md (Mermaid) and docs/statecharts/<machine>.svg from the live machine
// definitions. tests/unit/statecharts-doc.test.ts fails when either is stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderStatechartSvgs, renderStatechartsDoc, STATECHART_SVG_DIR } from '../src/inspector/statecharts-doc.js';

const docs = fileURLToPath(new URL('../docs/', import.meta.url));
const target = join(docs, 'statecharts.md');
writeFileSync(target, renderStatechartsDoc());
console.log(`wrote ${target}`);

const svgDir = join(docs, STATECHART_SVG_DIR);
mkdirSync(svgDir, { recursive: true });
const svgs = await renderStatechartSvgs();
// A picture of a machine that no longer exists is stale too.
for (const file of readdirSync(svgDir)) if (file.endsWith('.svg') && !svgs.has(file)) rmSync(join(svgDir, file));
for (const [file, svg] of svgs) {
  writeFileSync(join(svgDir, file), svg);
  console.log(`wrote ${join(svgDir, file)}`);
}
