// The two frames every connection sees most, checked by hand instead of by the frame schemas: the
// handshake's `connect.challenge` and a successful response. Each check accepts exactly what the schema
// would for these shapes (tests/unit/fast-frames.test.ts holds them to it); anything else returns
// undefined and takes the full parse, with its error message.
import type { ConnectChallenge, ResponseFrame } from '../../protocol/index.js';

/**
 * A `connect.challenge` event whose payload is what ConnectChallengeSchema accepts (a non-empty nonce, a
 * whole non-negative ts), or undefined for anything else, which then takes the full parse and its error.
 */
export function challengeOf(text: string): ConnectChallenge | undefined {
  if (!text.startsWith('{"type":"event","event":"connect.challenge"')) return undefined;
  const value = jsonOf(text);
  if (value === undefined) return undefined;
  // A repeated key wins in JSON.parse, so the prefix alone does not settle type and event.
  const frame = value as { type?: unknown; event?: unknown; payload?: unknown; seq?: unknown };
  if (frame.type !== 'event' || frame.event !== 'connect.challenge' || !(frame.seq === undefined || isWholeCount(frame.seq))) return undefined;
  const payload = frame.payload;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const { nonce, ts } = payload as { nonce?: unknown; ts?: unknown };
  if (typeof nonce !== 'string' || nonce.length === 0 || !isWholeCount(ts)) return undefined;
  return payload as ConnectChallenge;
}

/**
 * A successful response frame (`{"type":"res","id":"…","ok":true,…}`), or undefined for anything else,
 * which then takes the full parse. Only text that starts like a response is JSON-parsed here.
 */
export function okResponseOf(text: string): ResponseFrame | undefined {
  if (!text.startsWith('{"type":"res"')) return undefined;
  const value = jsonOf(text);
  if (value === undefined) return undefined;
  const frame = value as { type?: unknown; id?: unknown; ok?: unknown; payload?: unknown };
  if (frame.type !== 'res' || frame.ok !== true || typeof frame.id !== 'string' || frame.id.length === 0) return undefined;
  return value as ResponseFrame;
}

/** The parsed text, or undefined when it is not JSON (the full parse then says so). Text that starts with
 * `{"type":` and parses is an object. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What `z.number().int().min(0)` accepts. */
function isWholeCount(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
