// The three wire frames (req, res, event), the gateway's error shape, the `shutdown` payload, and the close
// codes this client chooses itself. Inbound text is parsed into a discriminated result and never throws:
// a gateway (or anything pretending to be one) can send any bytes, and the socket adapter turns each
// failure kind into a typed `socket.protocolError`.
import { z } from 'zod';

/** `{ code, message, details?, retryable?, retryAfterMs? }` as the gateway sends it (extra keys kept). */
export const WireErrorSchema = z.looseObject({
  code: z.string().min(1),
  message: z.string(),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().int().min(0).optional(),
});

/** A gateway error as it travels on the wire: `{ code, message, details, retryable, retryAfterMs }`. */
export interface WireError {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

export const RequestFrameSchema = z.looseObject({
  type: z.literal('req'),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.unknown().optional(),
});

const OkResponseFrameSchema = z.looseObject({
  type: z.literal('res'),
  id: z.string().min(1),
  ok: z.literal(true),
  payload: z.unknown().optional(),
});

// A failed response without an error shape would leave the caller with nothing to branch on, so the
// error is required whenever `ok` is false.
const ErrorResponseFrameSchema = z.looseObject({
  type: z.literal('res'),
  id: z.string().min(1),
  ok: z.literal(false),
  payload: z.unknown().optional(),
  error: WireErrorSchema,
});

export const ResponseFrameSchema = z.discriminatedUnion('ok', [OkResponseFrameSchema, ErrorResponseFrameSchema]);

export const EventFrameSchema = z.looseObject({
  type: z.literal('event'),
  event: z.string().min(1),
  payload: z.unknown().optional(),
  seq: z.number().int().min(0).optional(),
  stateVersion: z.unknown().optional(),
});

/** Payload of the `shutdown` event: `restartExpectedMs` present means the gateway will come back. */
export const ShutdownPayloadSchema = z.looseObject({
  reason: z.string(),
  restartExpectedMs: z.number().int().min(0).optional(),
});

export type WireErrorShape = z.infer<typeof WireErrorSchema>;
export type RequestFrame = z.infer<typeof RequestFrameSchema>;
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;
export type EventFrame = z.infer<typeof EventFrameSchema>;
export type ShutdownPayload = z.infer<typeof ShutdownPayloadSchema>;
export type Frame = RequestFrame | ResponseFrame | EventFrame;

/** Why a text could not become a frame. */
export type FrameFaultKind = 'malformed-json' | 'not-object' | 'unknown-type' | 'invalid-frame';

export type ParseFrameResult = { ok: true; frame: Frame } | { ok: false; kind: FrameFaultKind; message: string };

/**
 * Parses one inbound text frame. Never throws. Messages describe the fault without echoing the frame,
 * because a frame can carry anything (including credentials echoed by a misbehaving peer).
 */
export function parseFrame(text: string): ParseFrameResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'malformed-json', message: `frame is not valid JSON (${text.length} chars)` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    return { ok: false, kind: 'not-object', message: `frame is ${what}, expected an object` };
  }
  const type = (value as { type?: unknown }).type;
  const schema = type === 'res' ? ResponseFrameSchema : type === 'event' ? EventFrameSchema : type === 'req' ? RequestFrameSchema : null;
  if (schema === null) {
    const what = type === undefined ? 'missing' : typeof type === 'string' ? `a ${type.length}-char string` : typeof type;
    return { ok: false, kind: 'unknown-type', message: `frame type (${what}) is not req, res or event` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, kind: 'invalid-frame', message: `${String(type)} frame invalid: ${describeIssues(parsed.error)}` };
  }
  return { ok: true, frame: parsed.data };
}

/** Serializes a request frame. `params: undefined` is omitted, as the gateway's schema expects. */
export function serializeRequest(id: string, method: string, params?: unknown): string {
  return JSON.stringify(params === undefined ? { type: 'req', id, method } : { type: 'req', id, method, params });
}

/**
 * Close codes this client sends or reports. 4000-4999 is the range RFC 6455 leaves to applications, so
 * our own reasons cannot be mistaken for the gateway's (1008 policy, 1012 restart, 1013 starting).
 */
export const ClientCloseCodes = {
  /** We closed normally (stop, release). */
  NORMAL: 1000,
  /** No close frame was seen, or the socket never opened (reported, never sent). */
  ABNORMAL: 1006,
  /** A frame exceeded our inbound limit (ws closes with this itself). */
  MESSAGE_TOO_BIG: 1009,
  /** The gateway sent a frame we cannot trust: malformed JSON, unknown type, hello-ok missing fields. */
  PROTOCOL_ERROR: 4002,
  /** No hello-ok within the adapter's own `connectTimeoutMs`. */
  HANDSHAKE_TIMEOUT: 4008,
} as const;

/** Paths and messages of zod issues, without the offending values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
