// The `cluster` option of createConnectionPool: where Redis is, who this host is, how long a lease lives.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defaults } from '../machines/defaults.js';

export const clusterSchema = z
  .object({
    /** `redis://[:password@]host:port[/db]` (or rediss://). The password is used to connect and nowhere else. */
    redis: z.string().min(1),
    /** This host's id in the cluster (letters, digits, ".", "_", "-"). Default: hostname, pid and a random suffix. */
    hostId: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'letters, digits, ".", "_" or "-" (1-64 of them)')
      .optional(),
    /** How long a lease (and a heartbeat) lives in Redis without a renewal. */
    leaseTtlMs: z.number().int().min(300).default(defaults.lease.ttlMs),
    /** Prefix of every Redis key the pool writes. */
    prefix: z
      .string()
      .regex(/^[\w.-]{1,32}$/, 'letters, digits, ".", "_" or "-" (1-32 of them)')
      .default(defaults.cluster.prefix),
    /** How long connecting to Redis may take before the pool's calls reject REDIS_UNAVAILABLE. */
    connectTimeoutMs: z.number().int().positive().default(defaults.cluster.connectTimeoutMs),
  })
  .strict();

export type ClusterOptions = z.input<typeof clusterSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;

export function defaultHostId(): string {
  const host = hostname()
    .replace(/[^\w.-]/g, '-')
    .slice(0, 40);
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
