// `hello-ok`: the gateway's answer to `connect`. We validate only the fields the supervisor relies on
// and keep the rest (snapshot, control UI hints, ...) untouched for hosts that want them.
import { z } from 'zod';
import { describeIssues } from './frames.js';

export const HelloOkSchema = z.looseObject({
  type: z.literal('hello-ok'),
  protocol: z.number().int().min(1),
  server: z.looseObject({
    version: z.string().min(1),
    bootId: z.string().min(1),
    connId: z.string().min(1),
  }),
  features: z.looseObject({
    methods: z.array(z.string()),
    events: z.array(z.string()),
  }),
  auth: z.looseObject({
    role: z.string().min(1),
    scopes: z.array(z.string()),
    method: z.string().optional(),
    deviceToken: z.string().min(1).optional(),
  }),
  policy: z.looseObject({
    maxPayload: z.number().int().positive(),
    maxBufferedBytes: z.number().int().positive(),
    tickIntervalMs: z.number().int().positive(),
  }),
});

export type HelloOk = z.infer<typeof HelloOkSchema>;

/** What the connection machine needs to know from `hello-ok` (the full frame stays in the adapter). */
export interface HelloSummary {
  protocol: number;
  serverVersion: string;
  bootId: string;
  connId: string;
  tickIntervalMs: number;
  maxPayload: number;
  maxBufferedBytes: number;
  /** `token`, `device-token`, ... as reported by the gateway, when it says. */
  authMethod?: string;
  role?: string;
  scopes: string[];
  methodCount: number;
}

export type ParseHelloResult = { ok: true; hello: HelloOk } | { ok: false; message: string };

/**
 * Validates a `connect` response payload as hello-ok; the message names missing fields, never values.
 * A well-formed hello (every handshake) is checked by hand, exactly what the schema checks; only a bad one
 * takes the schema's parse, for its message. The schema walks every one of the ~470 method names.
 */
export function parseHelloOk(payload: unknown): ParseHelloResult {
  if (isWellFormedHello(payload)) return { ok: true, hello: payload };
  const parsed = HelloOkSchema.safeParse(payload);
  if (parsed.success) return { ok: true, hello: parsed.data };
  return { ok: false, message: `hello-ok invalid: ${describeIssues(parsed.error)}` };
}

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isPositiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isTextList = (v: unknown): boolean => Array.isArray(v) && v.every((item) => typeof item === 'string');

/** HelloOkSchema's checks, by hand (a test holds the two to the same verdicts). */
function isWellFormedHello(v: unknown): v is HelloOk {
  if (!isObject(v) || v.type !== 'hello-ok' || !isPositiveInt(v.protocol)) return false;
  const { server, features, auth, policy } = v;
  return (
    isObject(server) &&
    isText(server.version) &&
    isText(server.bootId) &&
    isText(server.connId) &&
    isObject(features) &&
    isTextList(features.methods) &&
    isTextList(features.events) &&
    isObject(auth) &&
    isText(auth.role) &&
    isTextList(auth.scopes) &&
    (auth.method === undefined || typeof auth.method === 'string') &&
    (auth.deviceToken === undefined || isText(auth.deviceToken)) &&
    isObject(policy) &&
    isPositiveInt(policy.maxPayload) &&
    isPositiveInt(policy.maxBufferedBytes) &&
    isPositiveInt(policy.tickIntervalMs)
  );
}

/** The part of hello-ok the connection machine needs (no secrets: the device token stays behind). */
export function summarizeHello(hello: HelloOk): HelloSummary {
  return {
    protocol: hello.protocol,
    serverVersion: hello.server.version,
    bootId: hello.server.bootId,
    connId: hello.server.connId,
    tickIntervalMs: hello.policy.tickIntervalMs,
    maxPayload: hello.policy.maxPayload,
    maxBufferedBytes: hello.policy.maxBufferedBytes,
    ...(hello.auth.method === undefined ? {} : { authMethod: hello.auth.method }),
    role: hello.auth.role,
    scopes: [...hello.auth.scopes],
    methodCount: hello.features.methods.length,
  };
}
