// Command-line arguments: node:util parseArgs for the syntax, zod for the meaning, so a bad flag gets
// the same field-naming ConfigError as a bad library option. Every flag is said once, in FLAGS; the
// parseArgs options, the zod schema, the camelCase fields of CliArgs and the help text come from it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { parseOptions } from '../config.js';
import { ConfigError } from '../errors.js';

export type Command = 'run' | 'status' | 'inspect' | 'install-runtime' | 'help';

// The schema's input must be what parseArgs hands over for that kind of flag, so a boolean flag with a
// string schema does not compile.
type FlagSpec = {
  short?: string;
  /** Placeholder for the value in the help text. */
  value?: string;
  /** One line of help; the table's order is the help's order. */
  help: string;
} & (
  | { type: 'boolean'; multiple?: false; schema?: z.ZodType<unknown, boolean | undefined> }
  | { type: 'string'; multiple?: false; value: string; schema: z.ZodType<unknown, string | undefined> }
  | { type: 'string'; multiple: true; value: string; schema: z.ZodType<unknown, string[] | undefined> }
);

const portString = z.string().regex(/^\d+$/, 'a port number').transform(Number).pipe(z.number().int().min(0).max(65_535));

const FLAGS = {
  port: { type: 'string', value: 'N', schema: portString.optional(), help: 'gateway port (default 18789)' },
  'state-dir': {
    type: 'string',
    value: 'DIR',
    schema: z.string().min(1).optional(),
    help: 'private state dir of the owned gateway (default ./.openclaw-state)',
  },
  attach: {
    type: 'string',
    value: 'URL',
    schema: z
      .string()
      .regex(/^wss?:\/\/\S+$/, 'a ws:// or wss:// URL')
      .optional(),
    help: 'attach to a gateway at ws://host:port instead of spawning one',
  },
  auto: { type: 'boolean', schema: z.boolean().default(false), help: 'adopt a gateway already listening on --port, spawn otherwise' },
  token: {
    type: 'string',
    value: 'T',
    schema: z.string().min(1).optional(),
    help: 'gateway token (a spawned gateway keeps one in its state dir, 0600; never printed unless --show-token)',
  },
  'show-token': {
    type: 'boolean',
    schema: z.boolean().default(false),
    help: 'run: also print the gateway token (it is kept in <state-dir>/openclaw.json, owner-only)',
  },
  json: { type: 'boolean', schema: z.boolean().default(false), help: 'one JSON object per line instead of text' },
  node: { type: 'string', value: 'PATH', schema: z.string().min(1).optional(), help: 'Node >= 24.16 for the gateway child (found when absent)' },
  openclaw: {
    type: 'string',
    value: 'PATH',
    schema: z.string().min(1).optional(),
    help: 'openclaw.mjs (resolved from the working directory when absent)',
  },
  'resolve-from': {
    type: 'string',
    multiple: true,
    value: 'DIR',
    schema: z.array(z.string().min(1)).optional(),
    help: 'also resolve openclaw and the Node runtime package from DIR (repeatable)',
  },
  'inspect-port': { type: 'string', value: 'N', schema: portString.optional(), help: 'port of the live inspector page (default: any free port)' },
  'no-inspect': { type: 'boolean', schema: z.boolean().default(false), help: 'do not start the inspector' },
  record: {
    type: 'string',
    value: 'FILE',
    schema: z.string().min(1).optional(),
    help: 'run: record the inspection trace to FILE (JSON lines, secrets redacted; replayable with replayTrace)',
  },
  channels: { type: 'boolean', schema: z.boolean().default(false), help: 'let the gateway start its channels (skipped by default)' },
  dev: { type: 'boolean', schema: z.boolean().default(false), help: 'pass --dev to the gateway' },
  format: {
    type: 'string',
    value: 'F',
    schema: z.enum(['mermaid', 'json']).default('mermaid'),
    help: 'what inspect prints: mermaid|json (default mermaid)',
  },
  'log-level': {
    type: 'string',
    value: 'L',
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'),
    help: 'trace|debug|info|warn|error|silent (default warn)',
  },
  dir: {
    type: 'string',
    value: 'DIR',
    schema: z.string().min(1).optional(),
    help: 'install-runtime: where to install (default: the per-user cache dir, or OPENCLAW_SUPERVISOR_RUNTIME_DIR)',
  },
  force: { type: 'boolean', schema: z.boolean().default(false), help: 'install-runtime: reinstall even when the pinned versions are there' },
  // No schema: --help chooses the command instead of becoming a field of its own.
  help: { type: 'boolean', short: 'h', help: 'print this help' },
} satisfies Record<string, FlagSpec>;

type Flags = typeof FLAGS;
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;
type FieldShape = {
  [F in keyof Flags as Flags[F] extends { schema: z.ZodType } ? CamelCase<F> : never]: Extract<Flags[F], { schema: z.ZodType }>['schema'];
};

// Object.entries widens the keys to string; they are FLAGS' own keys.
const flagEntries = Object.entries(FLAGS) as Array<[keyof Flags, FlagSpec]>;

const parseArgsOptions: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  flagEntries.map(([name, spec]) => [
    name,
    { type: spec.type, ...(spec.short === undefined ? {} : { short: spec.short }), ...(spec.multiple ? { multiple: true } : {}) },
  ]),
);

// Object.fromEntries forgets the keys; FieldShape is what this loop builds, key for key.
const fieldShape = Object.fromEntries(flagEntries.flatMap(([name, spec]) => (spec.schema ? [[camelCase(name), spec.schema]] : []))) as FieldShape;

const cliSchema = z.object({ command: z.enum(['run', 'status', 'inspect', 'install-runtime', 'help']), ...fieldShape });

export type CliArgs = z.output<typeof cliSchema>;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = readFlags(argv);
  const input: Record<string, unknown> = { command: values.help ? 'help' : (positionals[0] ?? 'help') };
  for (const [name, spec] of flagEntries) if (spec.schema) input[camelCase(name)] = values[name];
  return parseOptions(cliSchema, input, 'arguments');
}

export const HELP = `openclaw-supervisor <command> [flags]

Commands
  run       spawn (or --attach to) a gateway and supervise it; prints phases, then live status; Ctrl-C stops
  status    connect once to a running gateway (--attach URL --token T, or --state-dir DIR [--port N]) and print health and status
  inspect   print every statechart as a Mermaid diagram (--format json for the raw definition)
  install-runtime
            install the gateway runtime (openclaw + Node 24, from the npm registry) where \`run\` finds it

Flags
${flagHelp()}
`;

function readFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: parseArgsOptions, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the flag (never its value): "Unknown option '--prot'", "Option '--port <value>' argument missing".
    const flag = /'(--?[\w-]+)/.exec((error as Error).message)?.[1] ?? '(arguments)';
    throw new ConfigError(
      [{ field: flag, expected: (error as Error).message.includes('Unknown') ? 'no such flag (see --help)' : 'a value' }],
      'arguments',
    );
  }
}

function flagHelp(): string {
  const labels = flagEntries.map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`);
  const width = Math.max(...labels.map((label) => label.length));
  return flagEntries.map(([, spec], i) => `  ${(labels[i] ?? '').padEnd(width)}  ${spec.help}`).join('\n');
}

function camelCase<S extends string>(flag: S): CamelCase<S> {
  return flag.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase()) as CamelCase<S>;
}
