import { describe, expect, it } from 'vitest';
import { createDefaultLogger } from '../../src/logger.js';
import { redactArgv, scrubSecrets } from '../../src/redact.js';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('secrets never reach logs', () => {
  it('the default logger redacts token, device token and key fields at any depth we log them', () => {
    const out = capture();
    const logger = createDefaultLogger({ level: 'info', destination: out.destination });
    logger.info(
      {
        token: 'tok-123456',
        auth: { token: 'tok-abcdef' },
        params: { auth: { token: 'x-secret' } },
        deviceToken: 'dev-999999',
        privateKeyPem: 'PEM',
      },
      'connect',
    );
    logger.child({ component: 'socket' }).info({ connect: { token: 'tok-child1' } }, 'child');
    const text = out.lines.join('');
    for (const secret of ['tok-123456', 'tok-abcdef', 'x-secret', 'dev-999999', 'PEM', 'tok-child1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('argv loses the value after --token in both spellings', () => {
    expect(redactArgv(['gateway', '--token', 's3cret', '--port', '1'])).toEqual(['gateway', '--token', '[redacted]', '--port', '1']);
    expect(redactArgv(['--token=s3cret'])).toEqual(['--token=[redacted]']);
  });

  it('free text (stderr lines) loses every occurrence of a known secret', () => {
    expect(scrubSecrets('auth tok-123456 failed for tok-123456', ['tok-123456', undefined])).toBe('auth [redacted] failed for [redacted]');
    // Too short to scrub without destroying ordinary text.
    expect(scrubSecrets('a b c', ['b'])).toBe('a b c');
  });
});
