// zod schemas of every public option. Options are parsed once, at the edge (create* functions and the
// CLI); a failure becomes a ConfigError naming each bad field and what was expected. Nothing deeper
// re-validates.
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { defaults } from './machines/defaults.js';
import { BACKEND_CLIENT, DEFAULT_OPERATOR_SCOPES } from './protocol/index.js';

const port = z.number().int().min(1).max(65_535);
const positiveMs = z.number().int().positive();
const nonEmpty = z.string().min(1);

/** A pino-like logger; only the methods we call. */
export interface LoggerLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): LoggerLike;
}

const loggerSchema = z.custom<LoggerLike>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error', 'child'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'a pino-like logger with debug, info, warn, error and child' },
);

export const reconnectSchema = z
  .object({
    initialDelayMs: positiveMs.default(defaults.reconnect.initialDelayMs),
    multiplier: z.number().min(1).default(defaults.reconnect.multiplier),
    maxDelayMs: positiveMs.default(defaults.reconnect.maxDelayMs),
    jitter: z.number().min(0).max(1).default(defaults.reconnect.jitter),
  })
  .strict();

export const crashSchema = z
  .object({
    /** Consecutive crashes before the supervisor gives up and reports `error`. */
    maxAttempts: z.number().int().min(1).default(defaults.crash.maxAttempts),
    /** A crash after this much uptime counts as a first crash: respawn at once. */
    stableUptimeMs: positiveMs.default(defaults.crash.stableUptimeMs),
  })
  .strict();

export const livenessSchema = z
  .object({
    /** A ready link with no inbound frame for this long is pinged. */
    pingIntervalMs: positiveMs.default(defaults.liveness.pingIntervalMs),
    /** An unanswered ping closes the link 4000 and redials after this. */
    pongTimeoutMs: positiveMs.default(defaults.liveness.pongTimeoutMs),
    /** Managed mode: stalls with no stable stretch between them before the child is restarted. */
    maxStalls: z.number().int().min(1).default(defaults.liveness.maxStalls),
    /** How long a link must stay running to forget its earlier stalls. */
    stallWindowMs: positiveMs.default(defaults.liveness.stallWindowMs),
  })
  .strict();

export const clientSchema = z
  .object({
    id: nonEmpty.default(BACKEND_CLIENT.id),
    version: nonEmpty.default('openclaw-supervisor'),
    platform: nonEmpty.default(process.platform),
    mode: nonEmpty.default(BACKEND_CLIENT.mode),
  })
  .strict();

export const deviceSchema = z
  .object({
    /** Where the Ed25519 identity and the issued device token are kept (mode 0600). */
    identityPath: nonEmpty,
  })
  .strict();

export const gatewaySupervisorSchema = z
  .object({
    /** The instance key: the root actor's systemId is `gateway:<name>`, so many supervisors share a system. */
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64 of them)')
      .default(defaults.name),
    mode: z.enum(['managed', 'attach', 'auto']).default('managed'),
    /** ws:// or wss:// URL of a gateway (attach); derived from host and port otherwise. */
    url: z
      .string()
      .regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// URL')
      .optional(),
    host: nonEmpty.default(defaults.host),
    port: port.default(defaults.port),
    /** Gateway token. Managed mode generates one when absent. Never logged. */
    token: nonEmpty.optional(),
    device: deviceSchema.optional(),
    scopes: z.array(nonEmpty).default(() => [...DEFAULT_OPERATOR_SCOPES]),
    client: clientSchema.prefault({}),
    /** Private state dir of the owned gateway (its HOME / OPENCLAW_STATE_DIR). Required for managed and auto. */
    stateDir: nonEmpty.optional(),
    /** A Node >= 24.16 executable for the gateway child; found when absent. */
    nodePath: nonEmpty.optional(),
    /** Path of openclaw.mjs; resolved through package resolution when absent. */
    openclawEntry: nonEmpty.optional(),
    /** Directories to resolve `openclaw` and `node-<platform>-<arch>` from (default: the working directory). */
    resolveFrom: z.array(nonEmpty).optional(),
    skipChannels: z.boolean().default(false),
    dev: z.boolean().default(false),
    /** Extra environment for the child (merged over the embedding preset). */
    env: z.record(z.string(), z.string()).optional(),
    requestTimeoutMs: positiveMs.default(defaults.requests.timeoutMs),
    /** Requests on the wire at once; the gateway refuses beyond ~300, 32 measured best (openclaw-facts). */
    maxInFlight: z.number().int().min(1).max(256).default(defaults.requests.maxInFlight),
    reconnect: reconnectSchema.prefault({}),
    liveness: livenessSchema.prefault({}),
    crash: crashSchema.prefault({}),
    /** SIGTERM grace before SIGKILL when stopping an owned gateway. */
    stopGraceMs: positiveMs.default(defaults.stopGraceMs),
    /** Bound on a reload (new bootId and hello-ok) before falling back to a full restart. */
    reloadTimeoutMs: positiveMs.default(defaults.reloadTimeoutMs),
    restartDebounceMs: positiveMs.default(defaults.refresh.restartDebounceMs),
    reloadDebounceMs: positiveMs.default(defaults.refresh.reloadDebounceMs),
    restartCooldownMs: positiveMs.default(defaults.refresh.restartCooldownMs),
    logger: loggerSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const rule of supervisorRules) {
      if (!rule.holds(o)) ctx.addIssue({ code: 'custom', path: [rule.field], message: rule.expected(o) });
    }
  });

export type GatewaySupervisorOptions = z.input<typeof gatewaySupervisorSchema>;
export type GatewaySupervisorConfig = z.output<typeof gatewaySupervisorSchema>;

/** A cross-field rule of an options schema: the schema reports `expected` at `field` when `holds` is false. */
interface OptionsRule<T> {
  field: string;
  holds: (options: T) => boolean;
  expected: (options: T) => string;
}

/** The supervisor's cross-field rules, read by its schema's refinement and by `parseSupervisorOptions`. */
const supervisorRules: readonly OptionsRule<GatewaySupervisorConfig>[] = [
  { field: 'url', holds: (o) => o.mode !== 'attach' || !!o.url, expected: () => "a ws:// URL (required when mode is 'attach')" },
  {
    field: 'token',
    holds: (o) => o.mode !== 'attach' || !!o.token || !!o.device,
    expected: () => "a token or a device identity (required when mode is 'attach')",
  },
  { field: 'stateDir', holds: (o) => o.mode === 'attach' || !!o.stateDir, expected: (o) => `a directory path (required when mode is '${o.mode}')` },
];

/** `setCredentials(...)`: a new token, a new device identity file, or both; at least one. */
export const credentialsSchema = z
  .object({
    token: nonEmpty.optional(),
    device: deviceSchema.optional(),
  })
  .strict()
  .refine((c) => c.token !== undefined || c.device !== undefined, { message: 'a token or a device (at least one)', path: ['token'] });

export type CredentialsUpdate = z.output<typeof credentialsSchema>;

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: 'a function' });

/** An in-process channel plugin, shaped like OpenClaw's (src/runtime/channel-plugin.ts has the full type). */
const channelPluginSchema = z.looseObject({
  id: z.string().min(1),
  config: z.looseObject({
    listAccountIds: fn,
    resolveAccount: fn,
    isEnabled: fn.optional(),
    isConfigured: fn.optional(),
    disabledReason: fn.optional(),
    unconfiguredReason: fn.optional(),
    describeAccount: fn.optional(),
    defaultAccountId: fn.optional(),
  }),
  gateway: z.looseObject({ startAccount: fn, stopAccount: fn.optional() }),
  health: z.looseObject({ staleSocketChecks: z.boolean().optional() }).optional(),
});

/** What the mirror needs of a gateway supervisor: `request`, `on('status')` and `getStatus()`. */
const mirroredGatewaySchema = z.custom<MirroredGateway>(
  (v) => typeof v === 'object' && v !== null && ['request', 'on', 'getStatus'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'a gateway supervisor (request, on, getStatus)' },
);

/** The subset of a gateway supervisor the channel mirror uses. */
export interface MirroredGateway {
  request<T = unknown>(method: string, params?: unknown, opts?: { timeoutMs?: number }): Promise<T>;
  on(event: 'status', fn: (status: MirroredGatewayStatus) => void): () => void;
  getStatus(): MirroredGatewayStatus;
}

/** The parts of a supervisor's status the mirror reads: is the control connection ready, and to which boot. */
export interface MirroredGatewayStatus {
  state: string;
  connection?: { state: string; ready?: boolean; server?: { bootId: string } | undefined } | undefined;
}

const ch = defaults.channels;

export const channelManagerSchema = z
  .object({
    /** The instance key: the host actor's systemId is `channels:<name>`. */
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64 of them)')
      .default(defaults.name),
    plugins: z.array(channelPluginSchema).default(() => []),
    /** Read at each decision (start, restart, snapshot); the host's own config object. */
    loadConfig: fn.optional(),
    /** A gateway supervisor whose own channel accounts are mirrored. */
    gateway: mirroredGatewaySchema.optional(),
    restartPolicy: z
      .object({
        initialMs: positiveMs.default(ch.restartPolicy.initialMs),
        maxMs: positiveMs.default(ch.restartPolicy.maxMs),
        factor: z.number().min(1).default(ch.restartPolicy.factor),
        jitter: z.number().min(0).max(1).default(ch.restartPolicy.jitter),
      })
      .strict()
      .default(() => ({ ...ch.restartPolicy })),
    maxRestartAttempts: z.number().int().min(0).default(ch.maxRestartAttempts),
    stableRunMs: positiveMs.default(ch.stableRunMs),
    stopWaitMs: positiveMs.default(ch.stopWaitMs),
    startConcurrency: z.number().int().min(1).default(ch.startConcurrency),
    /** Starts per second across the manager (a burst of `startConcurrency` is allowed). */
    startsPerSecond: z.number().positive().default(ch.startsPerSecond),
    mirrorPollMs: positiveMs.default(ch.mirrorPollMs),
    health: z
      .object({
        graceMs: positiveMs.default(ch.health.graceMs),
        checkIntervalMs: positiveMs.default(ch.health.checkIntervalMs),
        staleEventMs: positiveMs.default(ch.health.staleEventMs),
        stuckMs: positiveMs.default(ch.health.stuckMs),
        connectGraceMs: positiveMs.default(ch.health.connectGraceMs),
        maxRestartsPerHour: z.number().int().min(1).default(ch.health.maxRestartsPerHour),
        cooldownChecks: z.number().int().min(0).default(ch.health.cooldownChecks),
      })
      .strict()
      .default(() => ({ ...ch.health })),
    logger: loggerSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.plugins.length > 0 && o.loadConfig === undefined) {
      ctx.addIssue({ code: 'custom', path: ['loadConfig'], message: 'a function returning the config (required with plugins)' });
    }
    if (o.plugins.length === 0 && o.gateway === undefined) {
      ctx.addIssue({ code: 'custom', path: ['plugins'], message: 'at least one plugin, or a gateway to mirror' });
    }
  });

export type ChannelManagerSchemaInput = z.input<typeof channelManagerSchema>;
export type ChannelManagerConfig = z.output<typeof channelManagerSchema>;

/** Parses with `schema`, or throws a ConfigError whose issues name each field and what was expected. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, context = 'options'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // One line per field: a refinement can restate what a type check already said about the same field.
  const byField = new Map<string, { field: string; expected: string }>();
  for (const issue of result.error.issues.map(describeIssue)) if (!byField.has(issue.field)) byField.set(issue.field, issue);
  throw new ConfigError([...byField.values()], context);
}

/**
 * Parses a supervisor's options by the fields the host gave (parseGivenFields), with the schema's verdict
 * and errors: whatever that path does not accept goes to the whole schema.
 */
export const parseSupervisorOptions = givenFieldsParser(gatewaySupervisorSchema, supervisorRules);

/**
 * A parse of `schema` that reads only the fields an input has. A supervisor's schema has thirty-odd fields
 * and a host sets four or five; a whole parse runs every field (an absent one through its default) once per
 * construction, cold, since hosts build few. Here each given field is parsed by its own schema, the absent
 * ones are copies of their defaults parsed once, and the cross-field `rules` run on the result. An input it
 * does not accept (not a plain object, an unknown key, a bad field, a broken rule) is parsed by the whole
 * schema, so a failure reads exactly as the schema's. tests/unit/config.test.ts holds both to one output.
 */
function givenFieldsParser<S extends z.ZodObject>(schema: S, rules: readonly OptionsRule<z.output<S>>[]): (input: unknown) => z.output<S> {
  const fields = new Map<string, z.ZodType>(Object.entries(schema.shape));
  const defaults = defaultsCopier(fields);
  return (input) => {
    const given = parseGivenFields(fields, defaults, input) as z.output<S> | undefined;
    if (given !== undefined && rules.every((rule) => rule.holds(given))) return given;
    return parseOptions(schema, input);
  };
}

function parseGivenFields(fields: Map<string, z.ZodType>, copyDefaults: () => Record<string, unknown>, input: unknown) {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  const out = copyDefaults();
  for (const key of Object.keys(input)) {
    const field = fields.get(key);
    if (field === undefined) return undefined;
    const parsed = field.safeParse((input as Record<string, unknown>)[key]);
    if (!parsed.success) return undefined;
    out[key] = parsed.data;
  }
  return out;
}

/** Each field's default parsed once; every call gets its own copy of an array or object default. */
function defaultsCopier(fields: Map<string, z.ZodType>): () => Record<string, unknown> {
  const shared: Record<string, unknown> = {};
  const copied: [string, () => unknown][] = [];
  for (const [key, field] of fields) {
    const parsed = field.safeParse(undefined);
    if (!parsed.success || parsed.data === undefined) continue;
    const value: unknown = parsed.data;
    if (typeof value !== 'object' || value === null) shared[key] = value;
    else if (Array.isArray(value) && value.every(isPrimitive)) copied.push([key, () => [...value]]);
    else if (Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPrimitive)) copied.push([key, () => ({ ...value })]);
    else copied.push([key, () => field.parse(undefined)]);
  }
  return () => {
    const out: Record<string, unknown> = { ...shared };
    for (const [key, copy] of copied) out[key] = copy();
    return out;
  };
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; expected: string } {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  switch (issue.code) {
    case 'invalid_type':
      return { field, expected: `${issue.expected}${issue.input === undefined ? ' (missing)' : ''}` };
    case 'unrecognized_keys':
      // An empty key is named as what it is, so the field is never blank.
      return {
        field: issue.keys
          .map((k) => (k === '' ? '""' : k))
          .map((k) => (field === '(root)' ? k : `${field}.${k}`))
          .join(', '),
        expected: 'no such option',
      };
    case 'invalid_value':
      return { field, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
    case 'too_small':
      return { field, expected: `>= ${String(issue.minimum)}` };
    case 'too_big':
      return { field, expected: `<= ${String(issue.maximum)}` };
    default:
      // Custom and format issues carry our own "expected" wording; never echo the input (it may be a secret).
      return { field, expected: issue.message };
  }
}
