// What the gateway chart needs from outside, and how it becomes the chart's implementations. Built once
// from its dependencies: each actor gets the instance key, the epoch and (where it matters) the endpoint
// through its input, so one set of adapters serves every gateway of a process.
import { fromPromise, type CallbackActorLogic } from 'xstate';
import type { DoctorResult, EndpointInput, InstanceInput, PortProbeResult, ProcessActorInput, ProcessCommand } from '../../contracts/index.js';
import { createConnectionImplementations, type ConnectionDeps } from '../connection/connection.implementations.js';
import { connectionMachine } from '../connection/connection.machine.js';

export interface GatewayDeps extends ConnectionDeps {
  /** The `gatewayProcess` actor: owns one child per `{ epoch, key }`. */
  process: CallbackActorLogic<ProcessCommand, ProcessActorInput>;
  /** Who holds the port: free, an OpenClaw gateway, or something else. */
  probePort(input: EndpointInput, signal: AbortSignal): Promise<PortProbeResult>;
  /** Resolves once the port accepts connections; aborted when the machine leaves the state. */
  waitListening(input: EndpointInput, signal: AbortSignal): Promise<void>;
  /** `openclaw doctor --fix` for the instance's state dir; `system` (the actor system, as an identity) scopes the key. */
  doctor(input: InstanceInput, signal: AbortSignal, system: object): Promise<DoctorResult>;
  /** Asks a gateway we do not own to restart in place (`gateway.restart.request`). */
  requestInPlaceRestart(input: InstanceInput, signal: AbortSignal, system: object): Promise<void>;
}

/** For `gatewayMachine.provide(...)`, which type-checks each actor against its placeholder. */
export function createGatewayImplementations(deps: GatewayDeps) {
  return {
    actors: {
      gatewayProcess: deps.process,
      probePort: fromPromise<PortProbeResult, EndpointInput>(({ input, signal }) => deps.probePort(input, signal)),
      waitListening: fromPromise<void, EndpointInput>(({ input, signal }) => deps.waitListening(input, signal)),
      doctor: fromPromise<DoctorResult, InstanceInput>(({ input, signal, system }) => deps.doctor(input, signal, system)),
      requestInPlaceRestart: fromPromise<void, InstanceInput>(({ input, signal, system }) => deps.requestInPlaceRestart(input, signal, system)),
      connection: connectionMachine.provide(createConnectionImplementations(deps)),
    },
  };
}
