// The adapters behind every gateway machine of a process, built once: each actor finds its gateway's own
// parts (URL, credentials, request channel, spawn options) by its actor system and the instance key in its
// input. So one provided gateway machine serves any number of gateways, in one actor system or in many.
import { probePort } from '../adapters/http/probe-port.js';
import { waitForListening } from '../adapters/http/wait-listening.js';
import { runDoctorRepair } from '../adapters/process/doctor.js';
import { createGatewayProcessLogic } from '../adapters/process/gateway-process.js';
import { createGatewaySocketLogic } from '../adapters/websocket/index.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { createGatewayImplementations, gatewayMachine, type GatewayDeps } from '../machines/gateway/index.js';
import type { GatewayInstance } from './gateway-instance.js';

/** Finds a gateway's parts by its instance key, unique within its actor system (like its system ids). */
export type GatewayInstanceLookup = (key: string, system: object) => GatewayInstance;

/** A lookup over a fixed set of instances; an unknown key is a wiring mistake and says which. */
export function lookupIn(instances: Iterable<GatewayInstance>): GatewayInstanceLookup {
  const byKey = new Map<string, GatewayInstance>();
  for (const instance of instances) byKey.set(instance.key, instance);
  return (key) => byKey.get(key) ?? unknownInstance(key);
}

// Every supervisor's instance, under its own actor system: two supervisors may both be named "default".
// Weak, so a supervisor that is dropped without dispose() leaves nothing here.
const registered = new WeakMap<object, Map<string, GatewayInstance>>();

/** Makes `instance` findable by the actors of `system`; returns the undo. */
export function registerGatewayInstance(system: object, instance: GatewayInstance): () => void {
  let byKey = registered.get(system);
  if (byKey === undefined) registered.set(system, (byKey = new Map()));
  byKey.set(instance.key, instance);
  return () => {
    if (byKey.get(instance.key) === instance) byKey.delete(instance.key);
  };
}

const registryLookup: GatewayInstanceLookup = (key, system) => registered.get(system)?.get(key) ?? unknownInstance(key);

function unknownInstance(key: string): never {
  throw new SupervisorError(ErrorCodes.CONFIG_INVALID, `no gateway instance with the key "${key}"`, { details: { key } });
}

// provide() rebuilds every state node of the chart (about 0.6 ms here): paid once per process rather than
// in each supervisor's handshake.
let shared: ReturnType<typeof provideGatewayMachine> | undefined;

/** The gateway machine provided once per process; its actors find their parts through the registry. */
export function sharedGatewayMachine() {
  shared ??= provideGatewayMachine(registryLookup);
  return shared;
}

export function createGatewayDeps(instanceFor: GatewayInstanceLookup): GatewayDeps {
  return {
    socket: createGatewaySocketLogic(
      ({ key, url }, system) => instanceFor(key, system).socketDeps(url),
      ({ key, url }, system) => instanceFor(key, system).takePreopenedSocket(url),
    ),
    process: createGatewayProcessLogic(({ key }, system) => instanceFor(key, system).spawn),
    probePort: ({ host, port }) => probePort({ host, port }),
    waitListening: ({ host, port }, signal) => waitForListening({ host, port, signal }),
    doctor: async ({ key }, signal, system) => {
      const { spawn, config, logger } = instanceFor(key, system);
      const result = await runDoctorRepair({
        nodePath: spawn.nodePath,
        entry: spawn.entry,
        stateDir: spawn.stateDir,
        skipChannels: config.skipChannels,
        ...(config.env === undefined ? {} : { env: config.env }),
        signal,
        secrets: [spawn.token],
      });
      logger.info({ exitCode: result.exitCode, outcome: result.outcome }, 'doctor repair finished');
      return { exitCode: result.exitCode ?? -1 };
    },
    requestInPlaceRestart: async ({ key }, _signal, system) => {
      await instanceFor(key, system).rpc.request('gateway.restart.request', { reason: 'openclaw-supervisor reload' }, { timeoutMs: 10_000 });
    },
  };
}

/** The gateway machine with every adapter provided; `provide()` checks each against its placeholder. */
export function provideGatewayMachine(instanceFor: GatewayInstanceLookup) {
  return gatewayMachine.provide(createGatewayImplementations(createGatewayDeps(instanceFor)));
}
