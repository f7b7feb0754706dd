export { refreshMachine } from './refresh.machine.js';
export { selectRefreshStatus, type RefreshSnapshot, type RefreshStatus } from './selectors.js';
export {
  defaultRefreshSettings,
  type GatewayLifecycle,
  type GatewayStateReport,
  type RefreshCommand,
  type RefreshContext,
  type RefreshEmitted,
  type RefreshEvent,
  type RefreshKind,
  type RefreshMachineInput,
  type RefreshOutcome,
  type RefreshRequest,
  type RefreshSettings,
} from './types.js';
