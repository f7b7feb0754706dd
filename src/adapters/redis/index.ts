export {
  openRedis,
  duplicateRedis,
  redisEndpointOf,
  toRedisError,
  RedisErrorCodes,
  type OpenRedisOptions,
  type RedisEndpoint,
} from './redis-client.js';
export { createLeaseStore, type LeaseStore, type AcquireResult, type RenewResult, type LeaseClaim } from './lease-store.js';
