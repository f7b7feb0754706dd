// The public face of openclaw-supervisor: create* functions, their option and status types, and the
// errors a host can branch on. Machines are under `openclaw-supervisor/machines`, wire schemas under
// `openclaw-supervisor/protocol`.
export { createGatewaySupervisor, type GatewaySupervisor, type GatewayEvent, type SupervisorEvents } from './runtime/gateway-supervisor.js';
export type { SupervisorStatus, ConnectionStatus, GatewayState } from './runtime/status.js';
export type { GatewaySupervisorOptions, LoggerLike } from './config.js';
export {
  createConnectionPool,
  type ConnectionPool,
  type ConnectionPoolOptions,
  type ConnectionPoolStatus,
  type PoolHandle,
  type PoolUser,
  type PoolEventListener,
  type PoolEventMessage,
  type ProactiveHandler,
  type ProactiveMessage,
  type ClusterOptions,
  type ClusteredConnectionPool,
  type ClusteredPoolStatus,
  type ClusterProactiveMessage,
} from './runtime/connection-pool.js';
export {
  createChannelManager,
  type ChannelManager,
  type ChannelManagerOptions,
  type ChannelManagerEvents,
  type ChannelAccountChange,
  type ChannelCommandResult,
  type ChannelRuntimeSnapshot,
} from './runtime/channel-manager.js';
export type { ChannelPlugin, ChannelAccountContext } from './runtime/channel-plugin.js';
export type { ChannelAccountStatus, ChannelStatusPatch } from './machines/channels/index.js';
export {
  createFleetClient,
  type FleetClient,
  type FleetClientOptions,
  type FleetClientStatus,
  type FleetMessage,
  type FleetSubscriber,
  type FleetChange,
  type FleetStore,
  type FleetView,
  type JournalEntry,
} from './runtime/fleet-client.js';
export { ConfigError, ErrorCodes, GatewayRequestError, SupervisorError, isSupervisorError, type ErrorCode } from './errors.js';
export {
  startInspector,
  supervisorCommands,
  channelManagerCommands,
  type Inspector,
  type InspectorOptions,
  type InspectorCommand,
  type InspectedActor,
  type InspectionRecord,
} from './inspector/index.js';
