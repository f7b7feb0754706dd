// The gatewaySocket dependencies the socket tests share: a token-only backend client on `rpc`, events
// dropped unless a test listens. Tests override what they exercise.
import type { GatewaySocketDeps, RpcChannel } from '../../src/adapters/websocket/index.js';

export function socketDeps(url: string, token: string, rpc: RpcChannel, overrides: Partial<GatewaySocketDeps> = {}): GatewaySocketDeps {
  return {
    url,
    credentials: () => ({ token }),
    client: { version: '0.1.0-test', platform: 'linux' },
    rpc,
    onEvent: () => {},
    ...overrides,
  };
}
