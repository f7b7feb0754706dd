import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderStatechartsDoc } from '../../src/inspector/statecharts-doc.js';

describe('docs/statecharts.md', () => {
  it('matches the machine definitions (run `npm run docs:charts` after changing a machine)', () => {
    const onDisk = readFileSync(new URL('../../docs/statecharts.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderStatechartsDoc());
  });
});
