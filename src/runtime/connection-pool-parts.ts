// One pool entry's own parts, kept by the runtime and found by key: the credential (only here), the request
// channel the entry's sockets attach to, the users holding it and the listeners of its events.
import { createRpcChannel, type DeviceIdentity, type RpcChannel } from '../adapters/websocket/index.js';
import { defaults } from '../machines/defaults.js';
import { backoffDelayMs } from '../machines/policy/index.js';
import type { ConnectionPoolConfig } from './connection-pool-options.js';

export interface PoolEventMessage {
  event: string;
  payload: unknown;
  seq: number | undefined;
}

export type PoolEventListener = (message: PoolEventMessage) => void;

export interface EntryParts {
  readonly key: string;
  /** Canonical gateway URL. */
  readonly url: string;
  readonly token: string | undefined;
  /** A device identity the entry's sockets sign with (a clustered pool's owner, for fencing); usually none. */
  readonly device: DeviceIdentity | undefined;
  readonly rpc: RpcChannel;
  readonly users: Set<string>;
  readonly listeners: Set<PoolEventListener>;
  /** When the entry was last told of inbound traffic (ms since epoch). */
  lastActivityAt: number;
  emit(message: PoolEventMessage): void;
}

export function createEntryParts(parts: {
  key: string;
  url: string;
  token: string | undefined;
  device?: DeviceIdentity | undefined;
  config: ConnectionPoolConfig;
}): EntryParts {
  const busyRetry = defaults.requests.busyRetry;
  const listeners = new Set<PoolEventListener>();
  return {
    key: parts.key,
    url: parts.url,
    token: parts.token,
    device: parts.device,
    rpc: createRpcChannel({
      maxInFlight: parts.config.maxInFlight,
      defaultTimeoutMs: parts.config.requestTimeoutMs,
      busyRetryDelayMs: (attempt) => backoffDelayMs(attempt, busyRetry, Math.random),
    }),
    users: new Set(),
    listeners,
    lastActivityAt: 0,
    emit(message) {
      for (const listener of listeners) {
        try {
          listener(message);
        } catch {
          // A host listener that throws must not break the socket or the other listeners.
        }
      }
    },
  };
}
