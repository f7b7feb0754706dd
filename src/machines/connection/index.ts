export {
  connectionMachine,
  CLOSE_GRACE_MS,
  DEFAULT_CHALLENGE_TIMEOUT_MS,
  DEFAULT_TICK_INTERVAL_MS,
  WATCHDOG_TICKS,
  type ConnectionMachine,
} from './connection.machine.js';
export { selectConnectionState, selectConnectionStatus, selectIsReady } from './selectors.js';
export type {
  ConnectionCommand,
  ConnectionContext,
  ConnectionEvent,
  ConnectionInput,
  ConnectionNotice,
  ConnectionStateName,
  ConnectionStatusView,
  LastClose,
} from './types.js';
export { createConnectionImplementations, type ConnectionDeps } from './connection.implementations.js';
