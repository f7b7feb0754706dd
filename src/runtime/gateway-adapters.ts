// The adapters behind every gateway machine of a process, built once: each actor finds its gateway's own
// parts (URL, credentials, request channel, spawn options) by the instance key in its input. So one
// provided gateway machine serves any number of gateways in one actor system.
import { probePort } from '../adapters/http/probe-port.js';
import { waitForListening } from '../adapters/http/wait-listening.js';
import { runDoctorRepair } from '../adapters/process/doctor.js';
import { createGatewayProcessLogic } from '../adapters/process/gateway-process.js';
import { createGatewaySocketLogic } from '../adapters/websocket/index.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { createGatewayImplementations, gatewayMachine, type GatewayDeps } from '../machines/gateway/index.js';
import type { GatewayInstance } from './gateway-instance.js';

/** Finds a gateway's parts by its instance key. */
export type GatewayInstanceLookup = (key: string) => GatewayInstance;

/** A lookup over a fixed set of instances; an unknown key is a wiring mistake and says which. */
export function lookupIn(instances: Iterable<GatewayInstance>): GatewayInstanceLookup {
  const byKey = new Map<string, GatewayInstance>();
  for (const instance of instances) byKey.set(instance.key, instance);
  return (key) => {
    const instance = byKey.get(key);
    if (instance === undefined) {
      throw new SupervisorError(ErrorCodes.CONFIG_INVALID, `no gateway instance with the key "${key}"`, { details: { key } });
    }
    return instance;
  };
}

export function createGatewayDeps(instanceFor: GatewayInstanceLookup): GatewayDeps {
  return {
    socket: createGatewaySocketLogic(({ key, url }) => {
      const instance = instanceFor(key);
      return {
        url,
        credentials: instance.credentials,
        client: instance.config.client,
        scopes: instance.config.scopes,
        rpc: instance.rpc,
        onEvent: instance.hooks.onEvent,
        logger: instance.socketLogger,
      };
    }),
    process: createGatewayProcessLogic(({ key }) => instanceFor(key).spawn),
    probePort: ({ host, port }) => probePort({ host, port }),
    waitListening: ({ host, port }, signal) => waitForListening({ host, port, signal }),
    doctor: async ({ key }, signal) => {
      const { spawn, config, logger } = instanceFor(key);
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
    requestInPlaceRestart: async ({ key }) => {
      await instanceFor(key).rpc.request('gateway.restart.request', { reason: 'openclaw-supervisor reload' }, { timeoutMs: 10_000 });
    },
  };
}

/** The gateway machine with every adapter provided; `provide()` checks each against its placeholder. */
export function provideGatewayMachine(instanceFor: GatewayInstanceLookup) {
  return gatewayMachine.provide(createGatewayImplementations(createGatewayDeps(instanceFor)));
}
