// Command-line arguments: node:util parseArgs for the syntax, zod for the meaning, so a bad flag gets
// the same field-naming ConfigError as a bad library option.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseOptions } from '../config.js';
import { ConfigError } from '../errors.js';

export type Command = 'run' | 'status' | 'inspect' | 'help';

const flags = {
  port: { type: 'string' },
  'state-dir': { type: 'string' },
  attach: { type: 'string' },
  auto: { type: 'boolean' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  node: { type: 'string' },
  openclaw: { type: 'string' },
  'resolve-from': { type: 'string', multiple: true },
  'inspect-port': { type: 'string' },
  'no-inspect': { type: 'boolean' },
  channels: { type: 'boolean' },
  dev: { type: 'boolean' },
  format: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const portString = z
  .string()
  .regex(/^\d+$/, 'a port number')
  .transform(Number)
  .pipe(z.number().int().min(0).max(65_535));

const cliSchema = z.object({
  command: z.enum(['run', 'status', 'inspect', 'help']),
  port: portString.optional(),
  stateDir: z.string().min(1).optional(),
  attach: z.string().regex(/^wss?:\/\/\S+$/, 'a ws:// or wss:// URL').optional(),
  auto: z.boolean().default(false),
  token: z.string().min(1).optional(),
  json: z.boolean().default(false),
  node: z.string().min(1).optional(),
  openclaw: z.string().min(1).optional(),
  resolveFrom: z.array(z.string().min(1)).optional(),
  inspectPort: portString.optional(),
  noInspect: z.boolean().default(false),
  channels: z.boolean().default(false),
  dev: z.boolean().default(false),
  format: z.enum(['mermaid', 'json']).default('mermaid'),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'),
});

export type CliArgs = z.output<typeof cliSchema>;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof flags; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: flags, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the flag (never its value): "Unknown option '--prot'", "Option '--port <value>' argument missing".
    const flag = /'(--?[\w-]+)/.exec((error as Error).message)?.[1] ?? '(arguments)';
    throw new ConfigError([{ field: flag, expected: (error as Error).message.includes('Unknown') ? 'no such flag (see --help)' : 'a value' }], 'arguments');
  }
  const v = parsed.values;
  const command = v.help ? 'help' : (parsed.positionals[0] ?? 'help');
  return parseOptions(
    cliSchema,
    {
      command,
      port: v.port,
      stateDir: v['state-dir'],
      attach: v.attach,
      auto: v.auto,
      token: v.token,
      json: v.json,
      node: v.node,
      openclaw: v.openclaw,
      resolveFrom: v['resolve-from'],
      inspectPort: v['inspect-port'],
      noInspect: v['no-inspect'],
      channels: v.channels,
      dev: v.dev,
      format: v.format,
      logLevel: v['log-level'],
    },
    'arguments',
  );
}

export const HELP = `openclaw-supervisor <command> [flags]

Commands
  run       spawn (or --attach to) a gateway and supervise it; prints phases, then live status; Ctrl-C stops
  status    connect once to a running gateway (--attach URL --token T) and print health and status
  inspect   print every statechart as a Mermaid diagram (--format json for the raw definition)

Flags
  --port N            gateway port (default 18789)
  --state-dir DIR     private state dir of the owned gateway (default ./.openclaw-state)
  --attach URL        attach to a gateway at ws://host:port instead of spawning one
  --auto              adopt a gateway already listening on --port, spawn otherwise
  --token T           gateway token (generated for a spawned gateway when absent; never printed)
  --json              one JSON object per line instead of text
  --node PATH         Node >= 24.16 for the gateway child (found when absent)
  --openclaw PATH     openclaw.mjs (resolved from the working directory when absent)
  --resolve-from DIR  also resolve openclaw and the Node runtime package from DIR (repeatable)
  --inspect-port N    port of the live inspector page (default: any free port)
  --no-inspect        do not start the inspector
  --channels          let the gateway start its channels (skipped by default)
  --dev               pass --dev to the gateway
  --log-level L       trace|debug|info|warn|error|silent (default warn)
`;
