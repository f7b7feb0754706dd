// Fakes and sample values shared by the gateway and refresh model tests: controllable stand-ins for every
// actor the gateway machine invokes, and the signals a real process or connection would send.
import { fromPromise, type AnyActorLogic, type PromiseActorLogic } from 'xstate';
import type { ConnectionCommand, ConnectionInput } from '../../src/machines/connection/types.js';
import type { DoctorResult, EpochInput } from '../../src/machines/gateway/types.js';
import type { RefreshEvent, RefreshMachineInput } from '../../src/machines/refresh/types.js';
import type {
  ConnectionNotice,
  HelloSummary,
  PortProbeResult,
  ProcessActorInput,
  ProcessCommand,
  ProcessSignal,
} from '../../src/protocol/signals.js';
import { createFakeCallbackActor, type FakeCallbackActor } from './support/fake-callback-actor.js';

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
  probePort: FakePromiseActor<PortProbeResult, EpochInput>;
  waitListening: FakePromiseActor<void, EpochInput>;
  doctor: FakePromiseActor<DoctorResult, EpochInput>;
  requestInPlaceRestart: FakePromiseActor<void, EpochInput>;
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
