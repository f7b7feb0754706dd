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

/** Validates a `connect` response payload as hello-ok; the message names missing fields, never values. */
export function parseHelloOk(payload: unknown): ParseHelloResult {
  const parsed = HelloOkSchema.safeParse(payload);
  if (parsed.success) return { ok: true, hello: parsed.data };
  return { ok: false, message: `hello-ok invalid: ${describeIssues(parsed.error)}` };
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
