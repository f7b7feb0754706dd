// The socket checks its two commonest frames by hand (src/adapters/websocket/fast-frames.ts). Whatever a
// hand check accepts, the frame schemas must accept the same way, or a bad frame would slip past the parse
// that reports it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { challengeOf, okResponseOf } from '../../src/adapters/websocket/fast-frames.js';
import { ConnectChallengeSchema, parseFrame } from '../../src/protocol/index.js';

const odd = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom('', 'x', 'connect.challenge', 'event', 'res'),
  fc.constantFrom(0, 1, -1, 1.5, 2 ** 53, 2 ** 60, Number.MAX_SAFE_INTEGER),
  fc.constant([]),
  fc.constant({}),
  fc.boolean(),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: odd });

/** JSON text in the gateway's key order, with an occasional repeated key at the end. */
function text(head: Record<string, unknown>, tail: Record<string, unknown> | undefined): string {
  const json = JSON.stringify(head);
  if (tail === undefined || Object.keys(tail).length === 0) return json;
  return `${json.slice(0, -1)},${JSON.stringify(tail).slice(1)}`;
}

describe('hand-checked frames', () => {
  it('challengeOf accepts exactly the challenges the frame and challenge schemas accept', () => {
    const frame = fc.record(
      {
        type: maybe(fc.constant('event')),
        event: maybe(fc.constant('connect.challenge')),
        payload: maybe(fc.record({ nonce: maybe(fc.uuid()), ts: maybe(fc.nat()) }, { requiredKeys: [] })),
        seq: maybe(fc.nat()),
      },
      { requiredKeys: ['type', 'event'] },
    );
    const tail = fc.option(fc.record({ type: odd, event: odd }, { requiredKeys: [] }), { nil: undefined });
    fc.assert(
      fc.property(frame, tail, (head, extra) => {
        const raw = text(head, extra);
        const parsed = parseFrame(raw);
        const schemaSays =
          parsed.ok &&
          parsed.frame.type === 'event' &&
          parsed.frame.event === 'connect.challenge' &&
          ConnectChallengeSchema.safeParse(parsed.frame.payload).success;
        const fast = challengeOf(raw);
        // The hand check may leave a frame to the full parse (other key orders), never accept a bad one.
        if (fast !== undefined) expect(schemaSays).toBe(true);
        if (raw.startsWith('{"type":"event","event":"connect.challenge"')) expect(fast !== undefined).toBe(schemaSays);
      }),
      { numRuns: 3_000 },
    );
  });

  it('okResponseOf accepts exactly the successful responses the frame schema accepts', () => {
    const frame = fc.record(
      { type: maybe(fc.constant('res')), id: maybe(fc.string({ minLength: 1, maxLength: 4 })), ok: maybe(fc.constant(true)), payload: odd },
      { requiredKeys: ['type'] },
    );
    const tail = fc.option(fc.record({ type: odd, ok: odd }, { requiredKeys: [] }), { nil: undefined });
    fc.assert(
      fc.property(frame, tail, (head, extra) => {
        const raw = text(head, extra);
        const parsed = parseFrame(raw);
        const schemaSays = parsed.ok && parsed.frame.type === 'res' && parsed.frame.ok;
        const fast = okResponseOf(raw);
        if (fast !== undefined) expect(schemaSays).toBe(true);
        if (raw.startsWith('{"type":"res"')) expect(fast !== undefined).toBe(schemaSays);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads the real gateway challenge and leaves a bad one to the parse', () => {
    expect(challengeOf('{"type":"event","event":"connect.challenge","payload":{"nonce":"n-1","ts":1767225600000}}')).toEqual({
      nonce: 'n-1',
      ts: 1767225600000,
    });
    expect(challengeOf('{"type":"event","event":"connect.challenge","payload":{"nonce":"","ts":1}}')).toBeUndefined();
    expect(challengeOf('{"type":"event","event":"connect.challenge","payload":{"nonce":"n","ts":1},"type":"res"}')).toBeUndefined();
    expect(challengeOf('{"type":"event","event":"tick","payload":{}}')).toBeUndefined();
  });
});
