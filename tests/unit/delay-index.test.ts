// The channel manager's clock and delay index: every `after` timer of one actor system on one heap behind a
// single host timer, and each actor's own timers cancelled when it stops (not a scan of the system's). On
// fake timers, so what is checked is order and counts, never durations.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, createMachine, fromCallback, type AnyActorRef, type InspectionEvent } from 'xstate';
import { createDelayIndex } from '../../src/runtime/delay-index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const host = {
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as never),
};

/** Logs its own timeout (`name` is `label:ms`); `cut` leaves the waiting state, which cancels the pending `after`. */
const waiter = createMachine({
  types: {} as { context: { log: string[]; name: string }; input: { log: string[]; name: string } },
  context: ({ input }) => ({ log: input.log, name: input.name }),
  initial: 'waiting',
  states: {
    waiting: {
      after: { slow: { target: 'done', actions: ({ context }) => context.log.push(context.name) } },
      on: { cut: 'done' },
    },
    done: { on: { again: 'waiting' } },
  },
}).provide({ delays: { slow: ({ context }) => Number(context.name.split(':')[1]) } });

function system(inspect?: (event: InspectionEvent) => void) {
  const delays = createDelayIndex(host);
  const root = createActor(
    fromCallback(() => {}),
    { clock: delays.clock, ...(inspect === undefined ? {} : { inspect }) },
  );
  delays.install(root.system);
  root.start();
  const log: string[] = [];
  const spawn = (name: string) => {
    const actor = createActor(waiter, { parent: root, input: { log, name } }) as AnyActorRef;
    actor.start();
    return actor;
  };
  return { delays, root, log, spawn };
}

describe('delay index', () => {
  it('fires every actor’s timers in due order, on one host timer', async () => {
    const { delays, log, spawn } = system();
    spawn('c:300');
    spawn('a:100');
    spawn('b:200');
    spawn('a2:100');
    expect(delays.pending).toBe(4);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['a:100', 'a2:100', 'b:200', 'c:300']);
    expect(delays.pending).toBe(0);
    expect(delays.actors).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a stopped actor’s timers are cancelled and no other actor’s are', async () => {
    const { delays, log, spawn } = system();
    const first = spawn('x:100');
    spawn('y:100');
    (first as unknown as { _stop(): void })._stop();
    expect(delays.actors).toBe(1);
    expect(delays.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(log).toEqual(['y:100']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a timer cancelled by a transition never fires, and a state re-entered schedules afresh', async () => {
    const { delays, log, spawn } = system();
    const actor = spawn('z:100');
    actor.send({ type: 'cut' });
    expect(delays.pending).toBe(0);
    actor.send({ type: 'again' });
    await vi.advanceTimersByTimeAsync(99);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['z:100']);
    expect(delays.actors).toBe(0);
  });

  it('a timer cleared by a callback of the same wake does not fire', async () => {
    const delays = createDelayIndex(host);
    const fired: string[] = [];
    const handles: unknown[] = [];
    delays.clock.setTimeout(() => {
      fired.push('first');
      delays.clock.clearTimeout(handles[0]);
    }, 50);
    handles.push(delays.clock.setTimeout(() => fired.push('second'), 50));
    delays.clock.setTimeout(() => fired.push('third'), 60);
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual(['first', 'third']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a due event reaches its actor from that actor, as the inspection stream shows it', async () => {
    const relayed: Array<{ source: unknown; target: unknown; type: string }> = [];
    const { log, spawn } = system((event) => {
      if (event.type === '@xstate.event' && event.event.type.startsWith('xstate.after')) {
        relayed.push({ source: event.sourceRef, target: event.actorRef, type: event.event.type });
      }
    });
    const actor = spawn('w:100');
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['w:100']);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.source).toBe(actor);
    expect(relayed[0]!.target).toBe(actor);
  });

  it('the system snapshot lists the pending delayed events with what is left of their wait', async () => {
    const { root, spawn } = system();
    const kept = spawn('k:300');
    const cut = spawn('c:300');
    cut.send({ type: 'cut' });
    await vi.advanceTimersByTimeAsync(100);
    const events = Object.values(root.system.getSnapshot()._scheduledEvents);
    expect(events).toHaveLength(1);
    expect(events[0]!.source).toBe(kept);
    expect(events[0]!.target).toBe(kept);
    expect(events[0]!.delay).toBe(200);
    expect(events[0]!.event.type).toMatch(/^xstate\.after\./);
  });
});
