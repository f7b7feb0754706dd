export { gatewayMachine } from './gateway.machine.js';
export { gatewaySetup } from './gateway.setup.js';
export { defaultGatewayTimeouts, resolveGatewaySettings } from './settings.js';
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
  DoctorResult,
  EpochInput,
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
