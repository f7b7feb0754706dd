// The kept Redis client (ioredis) of a clustered pool, opened once and checked before use. Commands fail at
// once while the link is down (no offline queue): a lease renewal replayed after a reconnect would act on a
// moment that has passed. Failures become typed errors that name the host and port, never the password.
import { Redis } from 'ioredis';
import { ConfigError, ErrorCodes, SupervisorError } from '../../errors.js';

/** The Redis failures, from the one catalogue of error codes (src/errors.ts). */
export const RedisErrorCodes = { REDIS_UNAVAILABLE: ErrorCodes.REDIS_UNAVAILABLE, REDIS_AUTH_FAILED: ErrorCodes.REDIS_AUTH_FAILED } as const;

export interface RedisEndpoint {
  host: string;
  port: number;
}

export interface OpenRedisOptions {
  /** `redis://[:password@]host:port[/db]`; the password never leaves this module. */
  url: string;
  /** How long one connection attempt may take. */
  connectTimeoutMs: number;
  /** Names the client in `CLIENT LIST` (no secret). */
  name: string;
}

/** Parses the URL (ConfigError-style typed error when it is not a redis URL) and opens a checked client. */
export async function openRedis(options: OpenRedisOptions): Promise<{ client: Redis; endpoint: RedisEndpoint }> {
  const endpoint = redisEndpointOf(options.url);
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    connectTimeout: options.connectTimeoutMs,
    connectionName: options.name,
    // Redis restarts are survived by reconnecting every 100 ms up to 1 s apart, forever, until quit().
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  // Errors are reported through the commands that fail; an unhandled 'error' event must not crash the host.
  // The first connection's refusal (NOAUTH, WRONGPASS) arrives only as an event: keep it for the verdict.
  let lastError: unknown;
  const onError = (error: unknown): void => {
    lastError = error;
  };
  client.on('error', onError);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw toRedisError(lastError ?? error, endpoint);
  } finally {
    client.off('error', onError);
  }
  client.on('error', () => {});
  return { client, endpoint };
}

/** A second connection for subscriptions (a subscribed connection can run nothing else). */
export async function duplicateRedis(client: Redis, endpoint: RedisEndpoint): Promise<Redis> {
  const copy = client.duplicate({ lazyConnect: true, enableOfflineQueue: true });
  copy.on('error', () => {});
  try {
    await copy.connect();
  } catch (error) {
    copy.disconnect();
    throw toRedisError(error, endpoint);
  }
  return copy;
}

export function redisEndpointOf(url: string): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([{ field: 'cluster.redis', expected: 'a redis:// or rediss:// URL' }], 'connection pool options');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError([{ field: 'cluster.redis', expected: 'a redis:// or rediss:// URL' }], 'connection pool options');
  }
  return { host: parsed.hostname || '127.0.0.1', port: parsed.port === '' ? 6379 : Number(parsed.port) };
}

/** Maps any ioredis failure to a typed error; the message is built from names, never from the server's text. */
export function toRedisError(error: unknown, endpoint: RedisEndpoint): SupervisorError {
  if (error instanceof SupervisorError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const where = `${endpoint.host}:${endpoint.port}`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) {
    return new SupervisorError(RedisErrorCodes.REDIS_AUTH_FAILED, `Redis at ${where} refused the credential in cluster.redis`, {
      details: { field: 'cluster.redis', host: endpoint.host, port: endpoint.port },
    });
  }
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  return new SupervisorError(RedisErrorCodes.REDIS_UNAVAILABLE, `Redis at ${where} did not answer`, {
    retryable: true,
    details: { field: 'cluster.redis', host: endpoint.host, port: endpoint.port, ...(code === undefined ? {} : { reason: code }) },
  });
}
