import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderStatechartSvgs, renderStatechartsDoc } from '../../src/inspector/statecharts-doc.js';

const docs = new URL('../../docs/', import.meta.url);

describe('docs/statecharts.md and docs/statecharts/*.svg', () => {
  it('the Markdown matches the machine definitions (run `npm run docs:charts` after changing a machine)', () => {
    const onDisk = readFileSync(new URL('statecharts.md', docs), 'utf8');
    expect(onDisk).toBe(renderStatechartsDoc());
  });

  it('every machine has its SVG picture, drawn by the inspector layout, and none is stale (run `npm run docs:charts`)', async () => {
    const svgs = await renderStatechartSvgs();
    const onDisk = readdirSync(new URL('statecharts/', docs)).filter((f) => f.endsWith('.svg'));
    expect(onDisk.sort()).toEqual([...svgs.keys()].sort());
    for (const [file, svg] of svgs) {
      expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="statechart"');
      expect(readFileSync(new URL(`statecharts/${file}`, docs), 'utf8'), `docs/statecharts/${file} is stale`).toBe(svg);
    }
  }, 60_000);
});
