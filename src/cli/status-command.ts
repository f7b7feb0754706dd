// `openclaw-supervisor status --attach URL --token T`: one connection, `health` and `status`, then exit.
import { ConfigError } from '../errors.js';
import { createDefaultLogger } from '../logger.js';
import { createGatewaySupervisor } from '../runtime/gateway-supervisor.js';
import type { CliArgs } from './args.js';

export async function runStatusCommand(args: CliArgs): Promise<number> {
  const url = args.attach ?? (args.port === undefined ? undefined : `ws://127.0.0.1:${args.port}`);
  if (!url) throw new ConfigError([{ field: 'attach', expected: 'a ws:// URL of the gateway (or --port)' }], 'arguments');
  if (!args.token) throw new ConfigError([{ field: 'token', expected: 'the gateway token' }], 'arguments');
  const supervisor = createGatewaySupervisor({ mode: 'attach', url, token: args.token, logger: createDefaultLogger({ level: args.logLevel }) });
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
