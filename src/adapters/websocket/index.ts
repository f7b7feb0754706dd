// The WebSocket adapter: device identity, request correlation, and the gatewaySocket actor logic.
export { loadOrCreateDeviceIdentity, deriveDeviceId, type DeviceIdentity } from './device-identity.js';
export { createEphemeralDeviceIdentity } from './ephemeral-device-identity.js';
export { createRpcChannel, type RpcChannel, type RpcChannelOptions, type RpcRequestOptions, type RpcSink, type RpcStats } from './rpc-channel.js';
export {
  createGatewaySocketLogic,
  openGatewaySocket,
  preopenGatewaySocket,
  type GatewaySocketDeps,
  type GatewaySocketHandle,
  type PreopenedGatewaySocket,
  type SocketCredentials,
} from './gateway-socket.js';
