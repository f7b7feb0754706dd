// Runs a fleet client in a child process for the crash test: every delta its subscriber hears is written to
// stdout at once (a synchronous write, so a SIGKILL cannot lose a line that was "heard"). Args: url, store path.
import { writeSync } from 'node:fs';
import { createFleetClient } from '../../src/runtime/fleet-client.js';

const [url, storePath] = process.argv.slice(2);
if (!url || !storePath) throw new Error('usage: fleet-crash-child <ws url> <store path>');
const client = createFleetClient({ url, storePath, wsReadyTimeoutMs: 60_000 });
await client.start();
client.subscribe((message) => {
  if (message.type === 'delta') writeSync(1, `D ${message.entry.seq} ${message.entry.identity}\n`);
});
writeSync(1, 'STARTED\n');
