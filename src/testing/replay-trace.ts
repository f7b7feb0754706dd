// Recorded traces become tests: re-run what one actor of a recorded system heard against the pure
// machine, with every invoked or spawned actor replaced by a silent fake and a SimulatedClock for its
// delays, and report the first step where the replayed state differs from the recorded one.
//
// Which recorded events are replayed: every event the actor received from outside itself (the host, its
// children, other actors) is sent as recorded, since its children are fakes here and would never send
// it. Events it sent itself (`after` timers, delayed raises) are not sent: the clock is advanced to the
// next pending timer until the actor has processed that event, so a timer the machine never started (or
// cancelled) shows up as a divergence instead of being forced.
import {
  createActor,
  fromCallback,
  SimulatedClock,
  type AnyActorLogic,
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import type { InspectionRecord } from '../inspector/inspection-record.js';
import { parseTrace, type Trace } from '../inspector/trace.js';

export interface ReplayOptions {
  /** Which actor of the trace to replay: its systemId (`gateway:default`) or machine id. Default: the first root machine actor. */
  actor?: string;
  /** Input for the machine; default: the (sanitised) input recorded for the actor. */
  input?: unknown;
  /** Actor logic to use instead of the silent fake, by the name the machine's setup gives it. */
  actors?: Record<string, AnyActorLogic>;
  /** Compare context as well as the state value (default false: context holds times and jitter). */
  compareContext?: boolean;
}

export interface ReplayStep {
  /** Position among the replayed steps (0 = the first event after start). */
  index: number;
  /** The record's seq in the trace. */
  seq: number;
  eventType: string;
  /** How the event reached the replay: sent, or fired from the clock. */
  via: 'send' | 'clock';
}

export interface ReplayDivergence extends ReplayStep {
  expected: unknown;
  actual: unknown;
  reason: string;
}

export interface ReplayResult {
  /** The actor replayed: its systemId or machine id. */
  actor: string;
  steps: ReplayStep[];
  /** The first difference, or undefined when the whole trace replayed identically. */
  divergence: ReplayDivergence | undefined;
  /** The replay's final state value. */
  finalValue: unknown;
}

/** A SimulatedClock that also knows when its pending timeouts are due, to fire them one at a time. */
class ReplayClock extends SimulatedClock {
  private readonly due = new Map<number, number>();
  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id: number = super.setTimeout((...args: unknown[]) => {
      this.due.delete(id);
      fn(...args);
    }, timeout);
    this.due.set(id, this.now() + timeout);
    return id;
  }
  override clearTimeout(id: number): void {
    this.due.delete(id);
    super.clearTimeout(id);
  }
  /** Moves time to the earliest pending timeout and fires it; false when nothing is pending. */
  fireNext(): boolean {
    if (this.due.size === 0) return false;
    this.set(Math.min(...this.due.values()));
    return true;
  }
}

export function replayTrace(
  machine: AnyStateMachine,
  trace: Trace | string | readonly InspectionRecord[],
  options: ReplayOptions = {},
): ReplayResult {
  const records =
    typeof trace === 'string' ? parseTrace(trace).records : Array.isArray(trace) ? (trace as InspectionRecord[]) : (trace as Trace).records;
  const target = findActor(records, machine, options.actor);
  const label = target.systemId ?? target.machineId ?? target.actorId;
  const actorId = target.actorId;

  const fakes: Record<string, AnyActorLogic> = {};
  for (const name of Object.keys(machine.implementations.actors)) fakes[name] = fromCallback(() => undefined);
  const provided = machine.provide({ actors: { ...fakes, ...options.actors } });
  const clock = new ReplayClock();
  // What the replayed actor processed, in order, with its snapshot right after: a send can be followed by
  // events the machine sent itself with no delay, each a step of its own in the recording.
  const processed: Array<{ type: string; snapshot: AnyMachineSnapshot }> = [];
  let consumed = 0;
  // Actor refs in a recorded input were sanitised to `{ actor: id }`: they become silent sinks here.
  const sinks: AnyActorRef[] = [];
  const input =
    options.input ??
    reviveActorRefs(target.input, () => {
      const sink = createActor(fromCallback(() => undefined)).start();
      sinks.push(sink);
      return sink;
    });
  const replayed = createActor(provided, {
    clock,
    input,
    inspect: (event) => {
      if (event.type === '@xstate.snapshot' && event.actorRef === replayed && event.event.type !== 'xstate.init') {
        processed.push({ type: event.event.type, snapshot: event.snapshot as AnyMachineSnapshot });
      }
    },
  });
  replayed.start();

  const steps: ReplayStep[] = [];
  const observe = (s: AnyMachineSnapshot) => (options.compareContext ? { value: s.value, context: s.context } : s.value);
  let divergence: ReplayDivergence | undefined;
  const pendingEvents: InspectionRecord[] = [];
  try {
    for (const record of records) {
      if (record.actorId !== actorId) continue;
      if (record.kind === 'event') {
        pendingEvents.push(record);
        continue;
      }
      if (
        record.kind !== 'snapshot' ||
        record.eventType === undefined ||
        record.eventType === 'xstate.init' ||
        record.eventType === 'inspector.attached'
      )
        continue;
      // The snapshot after an event: find the event that produced it (the oldest pending one of that type).
      const at = pendingEvents.findIndex((e) => e.eventType === record.eventType);
      const eventRecord = at >= 0 ? pendingEvents.splice(at, 1)[0] : undefined;
      const fromSelf = eventRecord?.sourceId === actorId;
      const step: ReplayStep = { index: steps.length, seq: record.seq, eventType: record.eventType, via: fromSelf ? 'clock' : 'send' };
      steps.push(step);
      if (consumed === processed.length) {
        if (!fromSelf) replayed.send((eventRecord?.event as { type: string } | undefined) ?? { type: record.eventType });
        else while (consumed === processed.length && clock.fireNext()) continue;
      }
      const next = processed[consumed];
      if (!next || next.type !== record.eventType) {
        const actual = next ? observe(next.snapshot) : observe(replayed.getSnapshot() as AnyMachineSnapshot);
        const reason = next
          ? `the recording processed ${record.eventType}, the replay ${next.type}`
          : `nothing in the replay delivers ${record.eventType} (no pending timer)`;
        divergence = { ...step, expected: record.value, actual, reason };
        break;
      }
      consumed++;
      if (next.snapshot.status === 'error') {
        divergence = {
          ...step,
          expected: record.value,
          actual: next.snapshot.value,
          reason: `the replayed actor failed: ${String(next.snapshot.error)}`,
        };
        break;
      }
      const expected = options.compareContext ? { value: record.value, context: record.context } : record.value;
      const actual = observe(next.snapshot);
      if (JSON.stringify(normalise(expected)) !== JSON.stringify(normalise(actual))) {
        divergence = {
          ...step,
          expected,
          actual,
          reason: `after ${record.eventType} the recording was in ${show(expected)}, the replay in ${show(actual)}`,
        };
        break;
      }
    }
    return { actor: label, steps, divergence, finalValue: replayed.getSnapshot().value };
  } finally {
    replayed.stop();
    for (const sink of sinks) sink.stop();
  }
}

interface TargetActor {
  actorId: string;
  systemId?: string;
  machineId?: string;
  input?: unknown;
}

function findActor(records: readonly InspectionRecord[], machine: AnyStateMachine, wanted: string | undefined): TargetActor {
  // An actor's systemId is set after its `actor` record is made: take it from any of its records.
  const systemIds = new Map<string, string>();
  for (const r of records) if (r.systemId !== undefined) systemIds.set(r.actorId, r.systemId);
  const actors = records.filter((r) => r.kind === 'actor').map((r) => ({ ...r, systemId: systemIds.get(r.actorId) }));
  const match = actors.find((r) =>
    wanted === undefined
      ? r.machineId === machine.id && (r.parentId === undefined || r.actorId === r.rootId)
      : r.systemId === wanted || r.machineId === wanted,
  );
  if (!match) throw new TypeError(`replayTrace: the trace has no actor ${wanted ?? `of machine "${machine.id}"`}`);
  return {
    actorId: match.actorId,
    ...(match.systemId === undefined ? {} : { systemId: match.systemId }),
    ...(match.machineId === undefined ? {} : { machineId: match.machineId }),
    ...(match.input === undefined ? {} : { input: match.input }),
  };
}

function reviveActorRefs(value: unknown, sink: () => AnyActorRef): unknown {
  if (Array.isArray(value)) return value.map((v) => reviveActorRefs(v, sink));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]?.[0] === 'actor' && typeof entries[0][1] === 'string') return sink();
  return Object.fromEntries(entries.map(([k, v]) => [k, reviveActorRefs(v, sink)]));
}

/** Both sides as JSON (undefined fields dropped, as in the recording). */
function normalise(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
