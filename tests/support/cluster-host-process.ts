// The parent side of tests/support/cluster-host.ts: a host of a clustered pool in its own process, driven over
// IPC, reporting every proactive message its handler received. Stopped by PID (`kill`).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeConnection } from './fake-gateway.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an IPC answer, shaped by cluster-host.ts
export type HostReply = any;

export interface ProactiveReport {
  url: string;
  runId: string;
  seq: number;
  token: number;
  at: number;
}

export interface HostProcess {
  id: string;
  child: ChildProcess;
  proactive: ProactiveReport[];
  // Replies are whatever the host's command answered (tests/support/cluster-host.ts), read field by field.
  call(command: Record<string, unknown>): Promise<HostReply>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startHostProcess(options: {
  redisUrl: string;
  id: string;
  ttlMs: number;
  fenceDevices?: boolean;
  pool?: string;
}): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/cluster-host.ts'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      HOST_ID: options.id,
      LEASE_TTL_MS: String(options.ttlMs),
      FENCE_DEVICES: options.fenceDevices === true ? '1' : '0',
      POOL_NAME: options.pool ?? 'hosts',
    },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  const host: HostProcess = {
    id: options.id,
    child,
    proactive: [],
    call(command) {
      const n = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(n, { resolve, reject });
        child.send({ ...command, seq: n });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
  child.on('message', (raw) => {
    const message = raw as { type: string; seq: number; ok: boolean; result: unknown; error: string } & ProactiveReport;
    if (message.type === 'proactive') host.proactive.push(message);
    if (message.type === 'reply') {
      const w = waiting.get(message.seq);
      waiting.delete(message.seq);
      if (message.ok) w?.resolve(message.result);
      else w?.reject(new Error(message.error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`host ${options.id} exited ${code}`)));
  });
  return host;
}

/** Polls `test` every 20 ms for at most `ms`; answers whether it became true (a bounded wait, never a timing assertion). */
export async function until(test: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** `runId|seq` identities handled more than once across the hosts. */
export function duplicates(hosts: Iterable<HostProcess>): string[] {
  const seen = new Map<string, number>();
  for (const host of hosts)
    for (const p of host.proactive) seen.set(`${p.url}|${p.runId}|${p.seq}`, (seen.get(`${p.url}|${p.runId}|${p.seq}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** Open and authenticated at the gateway: a socket whose device was removed no longer counts (the gateway invalidated it). */
export const authenticated = (c: FakeConnection): boolean => c.closed === undefined && c.connectParams !== undefined && c.invalidatedAt === undefined;
