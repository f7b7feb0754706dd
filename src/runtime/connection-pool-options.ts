// The public options of createConnectionPool, parsed once with zod (defaults from src/machines/defaults.ts).
// Kept beside the pool's runtime rather than in src/config.ts so the pool's schema is one import away from
// its only reader; it uses config.ts's shared pieces and its ConfigError reporting.
import { z } from 'zod';
import { clientSchema, reconnectSchema, type LoggerLike } from '../config.js';
import { defaults } from '../machines/defaults.js';
import { DEFAULT_OPERATOR_SCOPES } from '../protocol/index.js';

const positiveMs = z.number().int().positive();
const nonEmpty = z.string().min(1);

export interface ProactiveMessage {
  /** The canonical gateway URL the event came from. */
  url: string;
  /** The users sharing the connection it arrived on (same URL and credential). */
  users: string[];
  event: string;
  payload: unknown;
  runId: string;
  /** The run's own sequence number (`payload.seq`), else the frame's. */
  seq: number | undefined;
}

export type ProactiveHandler = (message: ProactiveMessage) => void;

const fn = <T>(message: string) => z.custom<T>((v) => typeof v === 'function', { message });

export const connectionPoolSchema = z
  .object({
    /** The pool's instance key: its root actor is `pool:<name>`, each entry `pool-entry:<name>/<key>`. */
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64 of them)')
      .default(defaults.pool.name),
    acquireTimeoutMs: positiveMs.default(defaults.pool.acquireTimeoutMs),
    idleTimeoutMs: positiveMs.default(defaults.pool.idleTimeoutMs),
    requestTimeoutMs: positiveMs.default(defaults.requests.timeoutMs),
    maxInFlight: z.number().int().min(1).max(256).default(defaults.requests.maxInFlight),
    challengeTimeoutMs: positiveMs.default(defaults.challengeTimeoutMs),
    reconnect: reconnectSchema.prefault({}),
    scopes: z.array(nonEmpty).default(() => [...DEFAULT_OPERATOR_SCOPES]),
    client: clientSchema.prefault({}),
    /** `runId:seq` identities remembered for proactive de-duplication. */
    dedupeWindow: z.number().int().min(1).default(defaults.pool.dedupeWindow),
    /** Events of runs the host did not start, once each. More handlers with `pool.onProactive()`. */
    onProactive: fn<ProactiveHandler>('a function (message) => void').optional(),
    logger: z
      .custom<LoggerLike>((v) => typeof v === 'object' && v !== null && typeof (v as LoggerLike).child === 'function', {
        message: 'a pino-like logger with debug, info, warn, error and child',
      })
      .optional(),
    /** An XState inspection observer for the pool's actor system (the inspector's). */
    inspect: fn<(event: unknown) => void>('a function (inspectionEvent) => void').optional(),
  })
  .strict();

export type ConnectionPoolOptions = z.input<typeof connectionPoolSchema>;
export type ConnectionPoolConfig = z.output<typeof connectionPoolSchema>;

/** Who acquires: a stable id, the gateway URL and its credential. */
export interface PoolUser {
  id: string;
  url: string;
  /** The gateway token; fingerprinted for the key, never logged or shown. */
  token?: string;
}

export const poolUserSchema = z
  .object({
    id: nonEmpty,
    url: nonEmpty,
    token: nonEmpty.optional(),
  })
  .strict();
