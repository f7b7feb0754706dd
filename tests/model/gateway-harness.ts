// Fakes and sample values shared by the gateway and refresh model tests: controllable stand-ins for every
// actor the gateway machine invokes, and the signals a real process or connection would send.
import { createActor, fromPromise, SimulatedClock, type Actor, type AnyActorLogic, type PromiseActorLogic } from 'xstate';
import type { ConnectionCommand, ConnectionInput } from '../../src/machines/connection/types.js';
import { gatewayMachine } from '../../src/machines/gateway/gateway.machine.js';
import { selectGatewayStatus } from '../../src/machines/gateway/selectors.js';
import type { GatewayEmitted, GatewayMachineInput } from '../../src/machines/gateway/types.js';
import type { RefreshEvent, RefreshMachineInput } from '../../src/machines/refresh/types.js';
import type {
  DoctorResult,
  EndpointInput,
  InstanceInput,
  PortProbeResult,
  ProcessActorInput,
  ProcessCommand,
  ProcessSignal,
} from '../../src/contracts/index.js';
import type { HelloSummary } from '../../src/protocol/index.js';
import type { ConnectionNotice } from '../../src/machines/connection/types.js';
import { createFakeCallbackActor, deliverSignal, type FakeCallbackActor, type FakeInstance } from './support/fake-callback-actor.js';

export interface FakePromiseInstance<TOutput, TInput> {
  input: TInput;
  /** False once the machine stopped it (left the invoking state). */
  alive: boolean;
  settled: boolean;
  resolve(output: TOutput): void;
  reject(error: unknown): void;
}

export interface FakePromiseActor<TOutput, TInput> {
  logic: PromiseActorLogic<TOutput, TInput>;
  instances: Array<FakePromiseInstance<TOutput, TInput>>;
  /** Instances still running and not yet settled. */
  pending(): Array<FakePromiseInstance<TOutput, TInput>>;
}

/** A fromPromise stand-in whose promise the test resolves or rejects. */
export function createFakePromiseActor<TOutput, TInput>(): FakePromiseActor<TOutput, TInput> {
  const fake: FakePromiseActor<TOutput, TInput> = {
    instances: [],
    pending: () => fake.instances.filter((instance) => instance.alive && !instance.settled),
    logic: fromPromise<TOutput, TInput>(
      ({ input, signal }) =>
        new Promise<TOutput>((resolve, reject) => {
          const instance: FakePromiseInstance<TOutput, TInput> = {
            input,
            alive: true,
            settled: false,
            resolve: (output) => {
              instance.settled = true;
              resolve(output);
            },
            reject: (error) => {
              instance.settled = true;
              reject(error);
            },
          };
          signal.addEventListener('abort', () => {
            instance.alive = false;
          });
          fake.instances.push(instance);
        }),
    ),
  };
  return fake;
}

export interface GatewayFakes {
  process: FakeCallbackActor<ProcessCommand, ProcessSignal, ProcessActorInput>;
  connection: FakeCallbackActor<ConnectionCommand, ConnectionNotice, ConnectionInput>;
  /** Stands in for the refresh child: records what the gateway tells it (`gateway.state`, outcomes). */
  refresh: FakeCallbackActor<RefreshEvent, never, RefreshMachineInput>;
  probePort: FakePromiseActor<PortProbeResult, EndpointInput>;
  waitListening: FakePromiseActor<void, EndpointInput>;
  doctor: FakePromiseActor<DoctorResult, InstanceInput>;
  requestInPlaceRestart: FakePromiseActor<void, InstanceInput>;
}

/** Fresh fakes, and the implementations to provide; `keepRefresh` leaves the real refresh machine in. */
export function createGatewayFakes(options: { keepRefresh?: boolean } = {}): {
  fakes: GatewayFakes;
  actors: Record<string, AnyActorLogic>;
} {
  const fakes: GatewayFakes = {
    process: createFakeCallbackActor(),
    connection: createFakeCallbackActor(),
    refresh: createFakeCallbackActor(),
    probePort: createFakePromiseActor(),
    waitListening: createFakePromiseActor(),
    doctor: createFakePromiseActor(),
    requestInPlaceRestart: createFakePromiseActor(),
  };
  const actors: Record<string, AnyActorLogic> = {
    gatewayProcess: fakes.process.logic,
    connection: fakes.connection.logic,
    probePort: fakes.probePort.logic,
    waitListening: fakes.waitListening.logic,
    doctor: fakes.doctor.logic,
    requestInPlaceRestart: fakes.requestInPlaceRestart.logic,
    ...(options.keepRefresh ? {} : { refresh: fakes.refresh.logic }),
  };
  return { fakes, actors };
}

/** Lets settled promises reach the machine (their results travel through microtasks). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function hello(bootId: string): HelloSummary {
  return {
    protocol: 4,
    serverVersion: '2026.9.6',
    bootId,
    connId: `conn-${bootId}`,
    tickIntervalMs: 30_000,
    maxPayload: 26_214_400,
    maxBufferedBytes: 52_428_800,
    scopes: ['operator.admin'],
    methodCount: 466,
  };
}

/** A `process.exited` as the process adapter reports it. */
export function exited(
  epoch: number,
  exit: { code: number | null; signal?: string | null; uptimeMs: number; stderrTail?: string[] },
): Extract<ProcessSignal, { type: 'process.exited' }> {
  return {
    type: 'process.exited',
    epoch,
    pid: 4242,
    code: exit.code,
    signal: exit.signal ?? null,
    stderrTail: exit.stderrTail ?? [],
    uptimeMs: exit.uptimeMs,
  };
}

/** The `gateway.state` values the gateway machine has told its refresh child, oldest first. */
export function reportedStates(fakes: GatewayFakes): string[] {
  return (fakes.refresh.instances[0]?.received ?? []).flatMap((event) => (event.type === 'gateway.state' ? [event.value] : []));
}

export interface GatewayRig {
  actor: Actor<typeof gatewayMachine>;
  clock: SimulatedClock;
  fakes: GatewayFakes;
  /** Everything the machine emitted (`gateway.dropped`, `gateway.crashed`, ...). */
  emitted: GatewayEmitted[];
  /** Names of the actions the machine executed, in order (from `@xstate.action` inspection events). */
  actions: string[];
  status(): ReturnType<typeof selectGatewayStatus>;
  /** The child of the current epoch (the one the machine talks to). */
  child(): FakeInstance<ProcessCommand, ProcessSignal, ProcessActorInput>;
  /** Sends a process signal the way it arrives: through its live actor, or relayed when that is gone. */
  signal(signal: ProcessSignal): void;
  /** Sends a connection notice through the live connection actor. */
  notice(notice: ConnectionNotice): void;
  /** From `stopped` (or `error`) to `running`: probe (unless attach), spawn, listen, handshake. */
  bringUp(options?: { probe?: PortProbeResult; bootId?: string }): Promise<void>;
  /** From a dead child to `running` again: spawned, listening, handshake. */
  respawnToRunning(bootId: string): Promise<void>;
}

/** A started gateway actor on a SimulatedClock with every invoked actor faked. */
export function createGatewayRig(input: Partial<GatewayMachineInput> = {}, options: { keepRefresh?: boolean } = {}): GatewayRig {
  const { fakes, actors } = createGatewayFakes(options);
  const clock = new SimulatedClock();
  const emitted: GatewayEmitted[] = [];
  const actions: string[] = [];
  const actor = createActor(gatewayMachine.provide({ actors }), {
    clock,
    input: { mode: 'managed', connection: { url: 'ws://127.0.0.1:18789' }, random: () => 0, ...input },
    inspect: (event) => {
      if (event.type === '@xstate.action' && event.actorRef === actor) actions.push(event.action.type);
    },
  });
  actor.on('*', (event) => emitted.push(event as GatewayEmitted));
  actor.start();
  const rig: GatewayRig = {
    actor,
    clock,
    fakes,
    emitted,
    actions,
    status: () => selectGatewayStatus(actor.getSnapshot()),
    child: () => {
      const epoch = actor.getSnapshot().context.epoch;
      const instance = fakes.process.live().find((candidate) => candidate.input.epoch === epoch);
      if (!instance) throw new Error(`no live child of epoch ${epoch}`);
      return instance;
    },
    signal: (signal) => deliverSignal(fakes.process, actor, signal, (input) => input.epoch === signal.epoch),
    notice: (notice) => {
      const [instance] = fakes.connection.live();
      if (!instance) throw new Error(`no live connection for ${notice.type}`);
      instance.send(notice);
    },
    bringUp: async ({ probe = { kind: 'free' } as PortProbeResult, bootId = 'boot-1' } = {}) => {
      actor.send({ type: 'gateway.start' });
      if (actor.getSnapshot().matches('probing')) {
        fakes.probePort.pending()[0]?.resolve(probe);
        await flush();
      }
      if (actor.getSnapshot().matches('owned')) await rig.respawnToRunning(bootId);
      else rig.notice({ type: 'connection.ready', hello: hello(bootId) });
    },
    respawnToRunning: async (bootId) => {
      rig.signal({
        type: 'process.spawned',
        epoch: actor.getSnapshot().context.epoch,
        pid: 1000 + actor.getSnapshot().context.epoch,
      });
      fakes.waitListening.pending()[0]?.resolve();
      await flush();
      rig.notice({ type: 'connection.ready', hello: hello(bootId) });
    },
  };
  return rig;
}
