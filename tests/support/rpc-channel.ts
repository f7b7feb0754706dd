// An rpc channel with the product's defaults (src/machines/defaults.ts), as the runtime builds it from
// parsed options; a test overrides only what it is about.
import { createRpcChannel, type RpcChannel, type RpcChannelOptions } from '../../src/adapters/websocket/index.js';
import { defaults } from '../../src/machines/defaults.js';
import { backoffDelayMs, type BackoffPolicy } from '../../src/machines/policy/backoff.js';

export function testRpcChannel(
  overrides: Partial<Omit<RpcChannelOptions, 'busyRetryDelayMs'>> & { busyRetry?: Partial<BackoffPolicy> } = {},
): RpcChannel {
  const { busyRetry, ...options } = overrides;
  const policy = { ...defaults.requests.busyRetry, ...busyRetry };
  return createRpcChannel({
    maxInFlight: defaults.requests.maxInFlight,
    defaultTimeoutMs: defaults.requests.timeoutMs,
    busyRetryDelayMs: (attempt) => backoffDelayMs(attempt, policy, Math.random),
    ...options,
  });
}
