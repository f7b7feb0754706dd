// Model-based testing of a machine with invoked actors and delays, which `createTestModel` refuses.
// 1. Traverse the real definition with `getShortestPaths`, keyed by state AND incoming transition
//    (keyed by state alone, every state is reached but many edges are never taken).
// 2. Replay every path on a real actor: invoked actors swapped for fakes by `provide()`, delays driven by
//    a SimulatedClock. Alongside, the same events go through the pure `transition()`; after each step
//    the real snapshot must equal the pure one and land on the state key the traversal predicted.
//    Why both: with a bounded key, the snapshots getShortestPaths stores for a path may come from another
//    route to the same key (other epoch, other attempt), so its events and states are re-bound to the
//    replay: an event is re-sampled from the replayed snapshot by its bounded `eventKey`.
// 3. Collect the transitions the real actors took (from `@xstate.microstep` inspection events), so a
//    test can assert that every transition of the definition was covered.
import {
  createActor,
  initialTransition,
  SimulatedClock,
  transition,
  type Actor,
  type AnyActorLogic,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type EventFromLogic,
  type InputFrom,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { edgeKeyOf, listMachineEdges, listStateIds, type MachineEdge } from './machine-edges.js';

type Snap<M extends AnyStateMachine> = SnapshotFrom<M>;
// Generic code reads machine-snapshot members (`value`, `_nodes`) through this view; TypeScript cannot
// see them on `SnapshotFrom<M>` while M is generic.
const asMachineSnapshot = (snapshot: unknown): AnyMachineSnapshot => snapshot as AnyMachineSnapshot;
type Ev<M extends AnyStateMachine> = EventFromLogic<M>;

/** One replay in progress: what a driver or a check can use. */
export interface PathRun<M extends AnyStateMachine, F> {
  actor: Actor<M>;
  clock: SimulatedClock;
  fakes: F;
  /** The machine with the fakes provided (its `implementations.delays` resolve named delays). */
  machine: M;
  /** Events the actor emitted (`emit`), in order. */
  emitted: Array<{ type: string }>;
  /** Index of the step being driven or just checked. */
  stepIndex: number;
}

export type Driver<M extends AnyStateMachine, F> = (event: Ev<M>, run: PathRun<M, F>) => void | Promise<void>;

export interface ModelPathOptions<M extends AnyStateMachine, F> {
  machine: M;
  input?: InputFrom<M>;
  /** A bounded projection of a snapshot: state value plus the few context facts guards depend on. */
  stateKey: (snapshot: Snap<M>) => string;
  /** A bounded key of an event as sent in `from` (strip counters such as epochs). Default: its JSON. */
  eventKey?: (event: Ev<M>, from: Snap<M>) => string;
  /**
   * Sample events per event descriptor the current state handles (exact type or wildcard such as
   * `socket.*`). Descriptors without samples are sent as `{ type }`; `xstate.after.*` needs none.
   */
  events: Partial<Record<string, (snapshot: Snap<M>) => ReadonlyArray<Ev<M>>>>;
  /** Fresh fakes for one replay, and the actor (and, for effects a machine runs as actions, action) implementations to provide. */
  createFakes: () => { fakes: F; actors: Record<string, AnyActorLogic>; actions?: Record<string, (args: { context: never; self: never }) => void> };
  /**
   * How an event reaches the real actor, by exact type or `prefix.*`. Defaults: `xstate.after.*` advances
   * the clock by the resolved delay; anything else is `actor.send(event)`.
   */
  drive?: Partial<Record<string, Driver<M, F>>>;
  /** Leave an event out of the traversal (e.g. to walk only the start of a machine for one input). */
  filterEvents?: (snapshot: Snap<M>, event: Ev<M>) => boolean;
  /** What must be equal between the traversal and the replay after each step. Default: value + context. */
  observe?: (snapshot: Snap<M>) => unknown;
  /** Invariants checked on the real actor after each step; throw to fail. */
  check?: (run: PathRun<M, F>) => void;
}

export interface PathFailure {
  path: string;
  step: number;
  message: string;
}

export interface ModelCoverageReport {
  /** Paths replayed (a path that is a prefix of another is covered by it and not replayed alone). */
  pathCount: number;
  edges: MachineEdge[];
  coveredEdges: Set<string>;
  stateIds: string[];
  visitedStates: Set<string>;
  failures: PathFailure[];
}

/** Traverses the definition and replays every shortest path on a real actor. */
export async function runModelPaths<M extends AnyStateMachine, F>(options: ModelPathOptions<M, F>): Promise<ModelCoverageReport> {
  const eventKey = options.eventKey ?? ((event: Ev<M>) => JSON.stringify(event));
  // The bounded key of every sampled event, computed against the snapshot it was sampled from.
  const sampledKeys = new WeakMap<object, string>();
  const paths = getShortestPaths(options.machine, {
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.filterEvents === undefined
      ? {}
      : { filterEvents: (snapshot: unknown, event: Ev<M>) => options.filterEvents!(snapshot as Snap<M>, event) }),
    events: (snapshot) => {
      const samples = sampleEvents(options, snapshot as Snap<M>);
      for (const sample of samples) sampledKeys.set(sample, eventKey(sample, snapshot as Snap<M>));
      return samples;
    },
    serializeState: (snapshot, event, previous) => {
      const key = options.stateKey(snapshot as Snap<M>);
      if (event === undefined || previous === undefined) return key;
      const from = previous as Snap<M>;
      // The key taken when the event was sampled: `previous` is not always the snapshot it came from.
      return `${key} via ${sampledKeys.get(event) ?? eventKey(event, from)} from ${options.stateKey(from)}`;
    },
  });
  const replayOptions = { ...options, eventKey, sampledKeys };

  const sequences = paths.map((path) => path.steps.map((step) => sampledKeys.get(step.event) ?? step.event.type));
  const prefixes = new Set<string>();
  for (const sequence of sequences) {
    for (let length = 0; length < sequence.length; length++) prefixes.add(sequence.slice(0, length).join('\n'));
  }

  const report: ModelCoverageReport = {
    pathCount: 0,
    edges: listMachineEdges(options.machine),
    coveredEdges: new Set(),
    stateIds: listStateIds(options.machine),
    visitedStates: new Set(),
    failures: [],
  };
  for (const [index, path] of paths.entries()) {
    if (prefixes.has(sequences[index]!.join('\n'))) continue;
    report.pathCount++;
    await replay(replayOptions, path.steps, report);
  }
  return report;
}

/** Union of several reports over the same machine (e.g. one traversal per input). */
export function mergeReports(...reports: ModelCoverageReport[]): ModelCoverageReport {
  const [first] = reports;
  if (!first) throw new Error('mergeReports: no report');
  return {
    pathCount: reports.reduce((sum, report) => sum + report.pathCount, 0),
    edges: first.edges,
    coveredEdges: new Set(reports.flatMap((report) => [...report.coveredEdges])),
    stateIds: first.stateIds,
    visitedStates: new Set(reports.flatMap((report) => [...report.visitedStates])),
    failures: reports.flatMap((report) => report.failures),
  };
}

/** Keys of the definition's transitions that no replay took. */
export function uncoveredEdges(report: ModelCoverageReport): string[] {
  return report.edges.map((edge) => edge.key).filter((key) => !report.coveredEdges.has(key));
}

/** Ids of the definition's state nodes that no replay visited. */
export function unvisitedStates(report: ModelCoverageReport): string[] {
  return report.stateIds.filter((id) => !report.visitedStates.has(id));
}

function sampleEvents<M extends AnyStateMachine, F>(options: ModelPathOptions<M, F>, snapshot: Snap<M>): Ev<M>[] {
  const nodes: AnyStateNode[] = asMachineSnapshot(snapshot)._nodes;
  const descriptors = new Set<string>(nodes.flatMap((node) => node.ownEvents as string[]));
  // A wildcard at an ancestor (`process.*` at the root) and an exact type below it can sample the same
  // event: keep one of each.
  const events = new Map<string, Ev<M>>();
  const add = (event: Ev<M>) => events.set(JSON.stringify(event), event);
  for (const descriptor of descriptors) {
    const sample = options.events[descriptor];
    if (sample) sample(snapshot).forEach(add);
    else if (descriptor.endsWith('*')) throw new Error(`model: no sample events for wildcard "${descriptor}"`);
    else add({ type: descriptor } as Ev<M>);
  }
  return [...events.values()];
}

interface ReplayOptions<M extends AnyStateMachine, F> extends ModelPathOptions<M, F> {
  eventKey: (event: Ev<M>, from: Snap<M>) => string;
  sampledKeys: WeakMap<object, string>;
}

async function replay<M extends AnyStateMachine, F>(
  options: ReplayOptions<M, F>,
  steps: ReadonlyArray<{ state: unknown; event: unknown }>,
  report: ModelCoverageReport,
): Promise<void> {
  const observe =
    options.observe ?? ((snapshot: Snap<M>) => ({ value: asMachineSnapshot(snapshot).value, context: asMachineSnapshot(snapshot).context }));
  const describe = steps.map((step) => (step.event as { type: string }).type).join(' > ');
  const { fakes, actors, actions } = options.createFakes();
  const machine = options.machine.provide(actions === undefined ? { actors } : ({ actors, actions } as never)) as M;
  const clock = new SimulatedClock();
  const inspected: InspectionEvent[] = [];
  const actor = createActor(machine, {
    clock,
    inspect: (event) => inspected.push(event),
    ...(options.input === undefined ? {} : { input: options.input }),
  }) as Actor<M>;
  const run: PathRun<M, F> = { actor, clock, fakes, machine, emitted: [], stepIndex: 0 };
  actor.on('*', (emitted) => run.emitted.push(emitted as { type: string }));
  const fail = (step: number, message: string): void => {
    report.failures.push({ path: describe, step, message });
  };
  let model = (initialTransition as (logic: M, input: unknown) => [Snap<M>, unknown])(machine, options.input)[0];

  try {
    actor.start();
    // Each step holds an event and the state it leads to; the first is `xstate.init` and the initial state.
    for (const [index, step] of steps.entries()) {
      run.stepIndex = index;
      if (index > 0) {
        const from = actor.getSnapshot() as Snap<M>;
        const wanted = options.sampledKeys.get(step.event as object);
        const event = sampleEvents(options, from).find((sample) => options.eventKey(sample, from) === wanted);
        if (event === undefined) return fail(index, `no event with key ${wanted} can be sent in ${options.stateKey(from)}`);
        model = transition(machine, model, event)[0] as Snap<M>;
        await driveEvent(options, run, event);
      }
      const snapshot = actor.getSnapshot() as Snap<M>;
      const machineSnapshot = asMachineSnapshot(snapshot);
      for (const node of machineSnapshot._nodes) if (node.parent) report.visitedStates.add(node.id);
      if (machineSnapshot.status === 'error') return fail(index, `actor errored: ${String(machineSnapshot.error)}`);
      const [want, got] = [JSON.stringify(observe(model)), JSON.stringify(observe(snapshot))];
      if (want !== got) return fail(index, `pure transition gave ${want}\n   real actor has ${got}`);
      const [wantKey, gotKey] = [options.stateKey(step.state as Snap<M>), options.stateKey(snapshot)];
      if (wantKey !== gotKey) return fail(index, `traversal predicted ${wantKey}, replay reached ${gotKey}`);
      options.check?.(run);
    }
  } catch (error) {
    fail(run.stepIndex, error instanceof Error ? error.message : String(error));
  } finally {
    for (const event of inspected) {
      if (event.type === '@xstate.microstep' && event.actorRef === actor) {
        for (const taken of event._transitions) report.coveredEdges.add(edgeKeyOf(taken));
        // Transient states (left by `always` in the same macrostep) only show in microstep snapshots.
        for (const node of (event.snapshot as AnyMachineSnapshot)._nodes) if (node.parent) report.visitedStates.add(node.id);
      }
    }
    actor.stop();
  }
}

async function driveEvent<M extends AnyStateMachine, F>(options: ModelPathOptions<M, F>, run: PathRun<M, F>, event: Ev<M>): Promise<void> {
  const drivers = options.drive ?? {};
  const type = event.type as string;
  const wildcard = Object.keys(drivers).find((key) => key.endsWith('.*') && type.startsWith(key.slice(0, -1)));
  const driver = drivers[type] ?? (wildcard === undefined ? undefined : drivers[wildcard]);
  if (driver) return driver(event, run);
  if (type.startsWith('xstate.after.')) run.clock.increment(resolveAfterDelayMs(run, type));
  else run.actor.send(event);
}

/**
 * The ms behind `xstate.after.<delay>.<stateNodeId>`: a number, or a named delay of the provided machine
 * evaluated on the current context (the helper assumes delays depend on context only).
 */
export function resolveAfterDelayMs<M extends AnyStateMachine, F>(run: PathRun<M, F>, type: string): number {
  const rest = type.slice('xstate.after.'.length);
  const dot = rest.indexOf('.');
  const delay = rest.slice(0, dot);
  if (/^\d+(\.\d+)?$/.test(delay)) return Number(delay);
  const implementation = (run.machine.implementations.delays as Record<string, unknown>)[delay];
  if (typeof implementation === 'number') return implementation;
  if (typeof implementation === 'function') {
    const snapshot = asMachineSnapshot(run.actor.getSnapshot());
    return (implementation as (args: unknown, params: unknown) => number)(
      { context: snapshot.context, event: { type }, self: run.actor, system: run.actor.system },
      undefined,
    );
  }
  throw new Error(`model: cannot resolve delay "${delay}" of ${type}`);
}
