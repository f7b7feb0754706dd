// Recorded traces become tests. The fixtures are the `refresh:default` actor's part of a trace recorded
// from a supervised real gateway (start, SIGKILL of the child and recovery, a restart from the inspector
// page); the edited copy changes one event by hand. The in-process case records a machine with a delay
// and a child through the inspector, so the replay has to fire a timer from its SimulatedClock.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromCallback, setup, type AnyActorRef } from 'xstate';
import { startInspector, type Inspector } from '../../src/inspector/index.js';
import { refreshMachine } from '../../src/machines/index.js';
import { parseTrace, replayTrace } from '../../src/testing/index.js';

/** Waits (bounded) until the kettle's `after` timer has fired and been recorded. */
const cooledDown = (inspector: Inspector) =>
  vi.waitFor(() => expect(inspector.records().some((r) => r.kind === 'snapshot' && r.eventType?.startsWith('xstate.after.'))).toBe(true), {
    timeout: 5_000,
  });

const fixture = (name: string) => readFileSync(new URL(`../fixtures/traces/${name}`, import.meta.url), 'utf8');

describe('replayTrace', () => {
  it('replays the recorded real trace (SIGKILL, recovery, restart) on the pure refresh machine with no divergence', () => {
    const result = replayTrace(refreshMachine, fixture('refresh-sigkill-recovery.jsonl'), { actor: 'refresh:default' });
    expect(result.divergence).toBeUndefined();
    expect(result.steps.map((s) => s.eventType)).toEqual([
      'gateway.state',
      'gateway.state',
      'gateway.state',
      'gateway.state',
      'gateway.state',
      'gateway.state',
      'refresh.restart.now',
      'gateway.state',
      'refresh.completed',
      'gateway.state',
    ]);
    expect(result.finalValue).toEqual({ gateway: 'ready', pending: 'none', flight: 'idle', cooldown: 'cooling' });
  });

  it('reports the first divergence of a hand-edited trace at the edited event', () => {
    const result = replayTrace(refreshMachine, fixture('refresh-edited-diverges.jsonl'), { actor: 'refresh:default' });
    expect(result.divergence).toMatchObject({
      seq: 888,
      eventType: 'refresh.completed',
      expected: { flight: 'idle', cooldown: 'cooling' },
      actual: { flight: 'idle', cooldown: 'idle' },
    });
    expect(result.divergence?.reason).toContain('after refresh.completed');
  });

  it('refuses a trace line of another version, naming the line', () => {
    const text = fixture('refresh-sigkill-recovery.jsonl').replace('{"v":1,"seq":5,', '{"v":2,"seq":5,');
    expect(() => parseTrace(text)).toThrow(/trace line 3: version 2, expected 1/);
  });

  describe('a trace recorded in process', () => {
    let inspector: Inspector | undefined;
    let actor: AnyActorRef | undefined;
    afterEach(async () => {
      actor?.stop();
      await inspector?.close();
    });

    const kettle = setup({
      types: { events: {} as { type: 'kettle.on' } | { type: 'kettle.boiled' } | { type: 'kettle.off' } },
      actors: { heater: fromCallback<{ type: 'kettle.off' }>(({ sendBack }) => void setTimeout(() => sendBack({ type: 'kettle.boiled' }), 5)) },
      delays: { coolMs: 15 },
    }).createMachine({
      id: 'kettle',
      initial: 'off',
      states: {
        off: { on: { 'kettle.on': 'heating' } },
        heating: { invoke: { id: 'heater', src: 'heater' }, on: { 'kettle.boiled': 'boiled', 'kettle.off': 'off' } },
        boiled: { after: { coolMs: 'off' } },
      },
    });

    it('replays events from the host and from a child by sending them, and `after` delays from the clock', async () => {
      inspector = await startInspector({});
      actor = createActor(kettle, { systemId: 'kettle:1', inspect: (e) => inspector!.observe(e) }).start();
      actor.send({ type: 'kettle.on' });
      await cooledDown(inspector);
      expect((actor.getSnapshot() as { value: unknown }).value).toBe('off');
      const result = replayTrace(kettle, inspector.trace());
      expect(result.divergence).toBeUndefined();
      expect(result.steps.map((s) => `${s.eventType} ${s.via}`)).toEqual([
        'kettle.on send',
        'kettle.boiled send',
        'xstate.after.coolMs.kettle.boiled clock',
      ]);
    });

    it('a recorded timer the replayed machine never started is a divergence', async () => {
      inspector = await startInspector({});
      actor = createActor(kettle, { systemId: 'kettle:1', inspect: (e) => inspector!.observe(e) }).start();
      actor.send({ type: 'kettle.on' });
      await cooledDown(inspector);
      // Drop the child's `kettle.boiled` from the trace: the replay never reaches `boiled`, so no timer is pending.
      const lines = inspector
        .trace()
        .split('\n')
        .filter((l) => !l.includes('"eventType":"kettle.boiled"'));
      const result = replayTrace(kettle, lines.join('\n'));
      expect(result.divergence?.eventType).toBe('xstate.after.coolMs.kettle.boiled');
      expect(result.divergence?.reason).toContain('no pending timer');
    });
  });
});
