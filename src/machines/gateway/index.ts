export { gatewayMachine } from './gateway.machine.js';
export { gatewaySetup } from './gateway.setup.js';
export { resolveGatewaySettings } from './settings.js';
export { createGatewayImplementations, type GatewayDeps } from './gateway.implementations.js';
export {
  selectGatewayStatus,
  selectIsBusy,
  selectIsReady,
  selectLifecycleMeta,
  type GatewayMachineStatus,
  type GatewaySnapshot,
} from './selectors.js';
export type {
  ConnectionActorInput,
  GatewayCommand,
  GatewayContext,
  GatewayEmitted,
  GatewayEvent,
  GatewayExit,
  GatewayFailure,
  GatewayFailureCode,
  GatewayMachineInput,
  GatewayMode,
  GatewaySettings,
  GatewayStateMeta,
} from './types.js';
export { gatewaySystemId, refreshSystemId } from './system-ids.js';
