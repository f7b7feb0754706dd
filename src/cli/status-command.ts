// `openclaw-supervisor status`: one connection, `health` and `status`, then exit. Where: `--attach URL` or
// `--port N` (loopback); with what: `--token T`, or the token a supervised gateway keeps in `--state-dir DIR`.
import { resolve } from 'node:path';
import { readStateDirToken } from '../adapters/process/embedding-env.js';
import { ConfigError } from '../errors.js';
import { createDefaultLogger } from '../logger.js';
import { defaults } from '../machines/defaults.js';
import { createGatewaySupervisor } from '../runtime/gateway-supervisor.js';
import type { CliArgs } from './args.js';

export async function runStatusCommand(args: CliArgs): Promise<number> {
  const port = args.port ?? (args.stateDir === undefined ? undefined : defaults.port);
  const url = args.attach ?? (port === undefined ? undefined : `ws://127.0.0.1:${port}`);
  if (!url) throw new ConfigError([{ field: 'attach', expected: 'a ws:// URL of the gateway (or --port, or --state-dir)' }], 'arguments');
  const token = args.token ?? (args.stateDir === undefined ? undefined : await readStateDirToken(resolve(args.stateDir)));
  if (!token) {
    const expected =
      args.stateDir === undefined ? 'the gateway token (or --state-dir of a supervised gateway)' : 'a token: none is kept in that state dir';
    throw new ConfigError([{ field: args.stateDir === undefined ? 'token' : 'state-dir', expected }], 'arguments');
  }
  const supervisor = createGatewaySupervisor({ mode: 'attach', url, token, logger: createDefaultLogger({ level: args.logLevel }) });
  try {
    await supervisor.start();
    const [health, status] = await Promise.all([
      supervisor.request('health', undefined, { timeoutMs: 10_000 }),
      supervisor.request('status', undefined, { timeoutMs: 10_000 }),
    ]);
    const out = { supervisor: supervisor.getStatus(), health, status };
    process.stdout.write(args.json ? `${JSON.stringify(out)}\n` : `${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } finally {
    await supervisor.stop();
  }
}
