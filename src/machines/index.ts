// Every statechart of the product, pure (no I/O): the `openclaw-supervisor/machines` entry point for
// hosts that compose their own actors, and the list `openclaw-supervisor inspect` draws.
import { channelAccountMachine, mirroredAccountMachine } from './channels/index.js';
import { connectionMachine } from './connection/index.js';
import { gatewayMachine } from './gateway/index.js';
import { leaseMachine } from './lease/index.js';
import { poolEntryMachine, poolMachine } from './pool/index.js';
import { dualPathMachine } from './dual-path/index.js';
import { refreshMachine } from './refresh/index.js';

export * from './channels/index.js';
export * from './connection/index.js';
export * from './lease/index.js';
export * from './pool/index.js';
export * from './dual-path/index.js';
export * from './refresh/index.js';
export {
  createGatewayImplementations,
  gatewayMachine,
  gatewaySystemId,
  refreshSystemId,
  selectGatewayStatus,
  type GatewayDeps,
  type GatewayMachineInput,
} from './gateway/index.js';
export { defaults } from './defaults.js';
export * as policy from './policy/index.js';

export const allMachines = {
  gateway: gatewayMachine,
  connection: connectionMachine,
  refresh: refreshMachine,
  pool: poolMachine,
  poolEntry: poolEntryMachine,
  dualPath: dualPathMachine,
  lease: leaseMachine,
  channelAccount: channelAccountMachine,
  mirroredAccount: mirroredAccountMachine,
} as const;
