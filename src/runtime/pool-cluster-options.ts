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
    /**
     * Device fencing: each acquisition of a key connects with a fresh device identity (kept in memory), and a
     * new owner has the gateway close the previous owner's sockets (`device.pair.remove`) before it acts, so a
     * frozen owner's socket stops counting within one request. Needs a gateway that pairs the pool's devices
     * without an operator (same host or an SSH forward: silent local pairing) and the scope operator.admin
     * (the default) or operator.pairing. Off by default.
     */
    fenceDevices: z.boolean().default(false),
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
