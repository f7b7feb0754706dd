// The public options of createFleetClient, parsed once with zod (defaults from src/machines/defaults.ts).
import { z } from 'zod';
import type { FleetStore } from '../adapters/store/index.js';
import { clientSchema, reconnectSchema, type LoggerLike } from '../config.js';
import { defaults } from '../machines/defaults.js';
import { DEFAULT_OPERATOR_SCOPES } from '../protocol/index.js';

const positiveMs = z.number().int().positive();
const nonEmpty = z.string().min(1);

export const fleetClientSchema = z
  .object({
    /** The instance key: the root actor is `fleet:<name>`. */
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64 of them)')
      .default(defaults.fleet.name),
    /** The gateway's ws:// or wss:// URL; its HTTP surface is the same origin. */
    url: z.string().regex(/^wss?:\/\/[^\s]+$/, 'a ws:// or wss:// URL'),
    /** The gateway's HTTP origin when it is not the WebSocket URL's (a proxy in front of one of them). */
    httpUrl: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'an http:// or https:// URL')
      .optional(),
    /** Gateway token, for `connect` and the HTTP Bearer. Never logged. */
    token: nonEmpty.optional(),
    /** Path of the SQLite file (created when missing). Required unless `store` is given. */
    storePath: nonEmpty.optional(),
    /** A store of your own behind the same interface (the SQLite file is the default). */
    store: z
      .custom<FleetStore>((v) => typeof v === 'object' && v !== null && typeof (v as FleetStore).apply === 'function', {
        message: 'a FleetStore (apply, view, since, lastSeq, oldestSeq, close)',
      })
      .optional(),
    wsReadyTimeoutMs: positiveMs.default(defaults.fleet.wsReadyTimeoutMs),
    pollIntervalMs: positiveMs.default(defaults.fleet.pollIntervalMs),
    lossGraceMs: positiveMs.default(defaults.fleet.lossGraceMs),
    httpTimeoutMs: positiveMs.default(defaults.fleet.httpTimeoutMs),
    requestTimeoutMs: positiveMs.default(defaults.requests.timeoutMs),
    challengeTimeoutMs: positiveMs.default(defaults.challengeTimeoutMs),
    reconnect: reconnectSchema.prefault({}),
    maxBatch: z.number().int().min(1).default(defaults.fleet.maxBatch),
    journalLimit: z.number().int().min(1).default(defaults.fleet.journalLimit),
    scopes: z.array(nonEmpty).default(() => [...DEFAULT_OPERATOR_SCOPES]),
    client: clientSchema.prefault({}),
    logger: z
      .custom<LoggerLike>((v) => typeof v === 'object' && v !== null && typeof (v as LoggerLike).child === 'function', {
        message: 'a pino-like logger with debug, info, warn, error and child',
      })
      .optional(),
    inspect: z.custom<(event: unknown) => void>((v) => typeof v === 'function', { message: 'a function (inspectionEvent) => void' }).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.storePath === undefined && o.store === undefined) {
      ctx.addIssue({ code: 'custom', path: ['storePath'], message: 'a file path for the SQLite store (or a `store`)' });
    }
  });

export type FleetClientOptions = z.input<typeof fleetClientSchema>;
export type FleetClientConfig = z.output<typeof fleetClientSchema>;
