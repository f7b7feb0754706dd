// The example host test of docs/api/testing-kit.md, run as written there (relative imports in place of
// `openclaw-supervisor`, `openclaw-supervisor/machines` and `openclaw-supervisor/testing`).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createGatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { refreshMachine } from '../../src/machines/index.js';
import { replayTrace, startFakeGateway } from '../../src/testing/index.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

it('a refused token pauses the connection instead of retrying, and a recorded incident still replays', async () => {
  const fake = await startFakeGateway({
    connect: { error: { code: 'INVALID_REQUEST', message: 'unauthorized', details: { code: 'AUTH_TOKEN_MISMATCH' } } },
  });
  const gateway = createGatewaySupervisor({ mode: 'attach', url: fake.url, token: 'not-the-token', logger: silentLogger });
  await expect(gateway.start()).rejects.toMatchObject({ code: 'CONNECTION_PAUSED' });
  expect(fake.connections).toHaveLength(1); // no retry storm
  await gateway.dispose();
  await fake.close();

  // A trace recorded with `openclaw-supervisor run --record incident.jsonl`:
  const trace = await readFile(`${repo}tests/fixtures/traces/refresh-sigkill-recovery.jsonl`, 'utf8');
  expect(replayTrace(refreshMachine, trace, { actor: 'refresh:default' }).divergence).toBeUndefined();
});
