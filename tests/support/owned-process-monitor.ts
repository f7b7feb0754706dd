// Watches the invariant "never two owned gateway processes alive at once": samples the gateway main
// processes that are direct children of this test process and run with the given state dir, on every
// status change and on a short interval, and remembers the largest count seen.
import type { GatewaySupervisor } from '../../src/runtime/gateway-supervisor.js';
import { childrenOf, listGatewayProcesses } from './process-tree.js';

export interface OwnedProcessMonitor {
  maxAlive(): number;
  pidsSeen(): number[];
  stop(): void;
}

export function monitorOwnedGateways(supervisor: GatewaySupervisor, stateDir: string, intervalMs = 100): OwnedProcessMonitor {
  let max = 0;
  const seen = new Set<number>();
  const sample = () => {
    const ours = new Set(childrenOf(process.pid));
    const alive = listGatewayProcesses(stateDir).filter((pid) => ours.has(pid));
    for (const pid of alive) seen.add(pid);
    max = Math.max(max, alive.length);
  };
  const timer = setInterval(sample, intervalMs);
  const off = supervisor.on('status', sample);
  sample();
  return {
    maxAlive: () => max,
    pidsSeen: () => [...seen],
    stop: () => {
      clearInterval(timer);
      off();
    },
  };
}
