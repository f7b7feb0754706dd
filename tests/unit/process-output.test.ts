import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { captureLines } from '../../src/adapters/process/line-capture.js';
import { RingBuffer } from '../../src/adapters/process/ring-buffer.js';

describe('ring buffer', () => {
  it('keeps the newest items in order once full', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
  });

  it('returns everything, oldest first, before it is full', () => {
    const ring = new RingBuffer<string>(5);
    ring.push('a');
    ring.push('b');
    expect(ring.toArray()).toEqual(['a', 'b']);
    expect(ring.last(1)).toEqual(['b']);
    expect(ring.last(10)).toEqual(['a', 'b']);
  });

  it('is empty again after clear and keeps working', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    ring.push(2);
    ring.push(3);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    ring.push(4);
    expect(ring.toArray()).toEqual([4]);
  });

  it('refuses a capacity that cannot hold anything', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});

describe('ANSI stripping of captured lines', () => {
  it('removes the colours the gateway prints to a pipe', async () => {
    const line = '\u001b[90m2026-11-24T02:56:26.993+00:00\u001b[39m \u001b[36m[gateway]\u001b[39m \u001b[36mloading configuration…\u001b[39m';
    expect(await capture([`${line}\n`])).toEqual(['2026-11-24T02:56:26.993+00:00 [gateway] loading configuration…']);
  });

  it('removes OSC hyperlinks and cursor movement but keeps the text', async () => {
    expect(await capture(['\u001b]8;;https://x.test\u0007link\u001b]8;;\u0007 done\u001b[2K\u001b[1G\n'])).toEqual(['link done']);
  });

  it('removes the 8-bit CSI, OSC ended by ESC \\ and two-byte ESC sequences', async () => {
    const lines = await capture([
      '\u009b31mred\u009b0m\n',
      '\u001b]8;;https://x.test\u001b\\link\u001b]8;;\u001b\\ done\n',
      '\u001bMup \u001b=keypad\u001b>\n',
    ]);
    expect(lines).toEqual(['red', 'link done', 'up keypad']);
  });

  it('leaves plain text, brackets and unicode alone', async () => {
    expect(await capture(['[gateway] ready → 200 [ok]\n'])).toEqual(['[gateway] ready → 200 [ok]']);
  });
});

async function capture(chunks: string[], secrets: string[] = [], maxLineChars?: number): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  const done = captureLines(stream, { secrets, onLine: (l) => lines.push(l), ...(maxLineChars ? { maxLineChars } : {}) });
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await done;
  return lines;
}

describe('line capture', () => {
  it('joins lines split across chunks and keeps a last line without newline', async () => {
    expect(await capture(['one\ntw', 'o\r\nthr', 'ee'])).toEqual(['one', 'two', 'three']);
  });

  it('redacts the token wherever it appears, even split across chunks', async () => {
    const lines = await capture(['auth with tok-SECRET', '-1234 failed\n', 'again tok-SECRET-1234\n'], ['tok-SECRET-1234']);
    expect(lines).toEqual(['auth with [redacted] failed', 'again [redacted]']);
    expect(lines.join('\n')).not.toContain('SECRET');
  });

  it('strips colours before storing a line', async () => {
    expect(await capture(['\u001b[31merror\u001b[39m: bad\n'])).toEqual(['error: bad']);
  });

  it('cuts an endless line and does not leak a secret at the cut', async () => {
    const secret = 'tok-abcdefgh';
    const long = `${'x'.repeat(95)}${secret}${'y'.repeat(3000)}`;
    const lines = await capture([long.slice(0, 100), long.slice(100), '\nnext\n'], [secret], 100);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/…\[cut\]$/);
    expect(lines[0]).not.toContain('tok-abc');
    expect(lines[1]).toBe('next');
  });
});
