import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';

describe('CLI arguments', () => {
  it('parses run with its flags', () => {
    const args = parseCliArgs(['run', '--port', '18800', '--state-dir', 'x', '--json', '--resolve-from', 'runtime']);
    expect(args).toMatchObject({ command: 'run', port: 18800, stateDir: 'x', json: true, resolveFrom: ['runtime'] });
  });

  it('names a flag with a bad value and what was expected', () => {
    expect(() => parseCliArgs(['run', '--port', 'eighty'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'port' }));
    expect(() => parseCliArgs(['run', '--attach', 'http://x'])).toThrow(/attach: a ws:\/\/ or wss:\/\/ URL/);
  });

  it('rejects an unknown flag instead of ignoring it', () => {
    expect(() => parseCliArgs(['run', '--prot', '1'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: '--prot' }));
  });

  it('rejects an unknown command', () => {
    expect(() => parseCliArgs(['jump'])).toThrow(expect.objectContaining({ field: 'command' }));
  });

  it('exits 2 on bad arguments without printing a token it was given', async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (writes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['status', '--token', 'tok-very-secret', '--port', 'x'])).toBe(2);
    } finally {
      process.stderr.write = original;
    }
    expect(writes.join('')).toContain('CONFIG_INVALID');
    expect(writes.join('')).not.toContain('tok-very-secret');
  });
});
