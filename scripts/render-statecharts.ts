// Writes docs/statecharts.md from the live machine definitions (the same text `openclaw-supervisor
// inspect` prints). tests/unit/statecharts-doc.test.ts fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderStatechartsDoc } from '../src/inspector/statecharts-doc.js';

const target = fileURLToPath(new URL('../docs/statecharts.md', import.meta.url));
writeFileSync(target, renderStatechartsDoc());
console.log(`wrote ${target}`);
