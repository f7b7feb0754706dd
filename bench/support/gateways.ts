// Real gateways for the benchmarks, through the tests' launcher (tests/support/real-gateway.ts), which
// spawns exactly as the supervisor does (src/adapters/process/spawn-gateway.ts: same node, entry, flags,
// embedding env and state-dir layout) and stops by PID, spawn-broker included. Each live gateway is
// registered for cleanup so an interrupted run leaves nothing behind.
import { startRealGateway, type RealGateway, type RealGatewayOptions } from '../../tests/support/real-gateway.js';
import { registerCleanup } from './cleanup.js';

export { RUNTIME_NODE as gatewayNodePath, RUNTIME_ENTRY as openclawEntry } from '../../tests/support/real-gateway.js';
export type { RealGateway } from '../../tests/support/real-gateway.js';

/** startRealGateway, with the gateway's stop registered for Ctrl-C until it has been called. */
export async function launchGateway(options: RealGatewayOptions = {}): Promise<RealGateway> {
  const gateway = await startRealGateway({ skipChannels: true, ...options });
  const unregister = registerCleanup(() => gateway.stop());
  const stop = gateway.stop.bind(gateway);
  return {
    ...gateway,
    stop: () => {
      unregister();
      return stop();
    },
  };
}
