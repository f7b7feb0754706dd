// One host of a clustered pool in its own process, driven by its parent over IPC (the multi-host tests).
// Env: REDIS_URL, HOST_ID, LEASE_TTL_MS, FENCE_DEVICES (1: device fencing on), POOL_NAME (default "hosts"). Commands: acquire users, run requests, report status, close.
// Every proactive message the host hands to its handler is reported to the parent.
import { createConnectionPool, type PoolHandle } from '../../src/runtime/connection-pool.js';

type Command =
  | { cmd: 'acquire'; seq: number; users: Array<{ id: string; url: string; token?: string }> }
  | { cmd: 'request'; seq: number; ids: string[]; method: string; timeoutMs?: number }
  | { cmd: 'status'; seq: number }
  | { cmd: 'close'; seq: number };

const pool = createConnectionPool({
  name: process.env.POOL_NAME ?? 'hosts',
  cluster: {
    redis: process.env.REDIS_URL!,
    hostId: process.env.HOST_ID!,
    leaseTtlMs: Number(process.env.LEASE_TTL_MS),
    fenceDevices: process.env.FENCE_DEVICES === '1',
  },
  onProactive: (message) => {
    const token = (message as { fencingToken?: number }).fencingToken;
    process.send?.({ type: 'proactive', url: message.url, runId: message.runId, seq: message.seq, token, at: Date.now() });
  },
});
const handles = new Map<string, PoolHandle>();

process.on('message', (raw) => {
  const command = raw as Command;
  void run(command).then(
    (result) => process.send?.({ type: 'reply', seq: command.seq, ok: true, result }),
    (error: unknown) => process.send?.({ type: 'reply', seq: command.seq, ok: false, error: (error as { code?: string }).code ?? String(error) }),
  );
});

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'acquire':
      await Promise.all(command.users.map(async (user) => handles.set(user.id, await pool.acquire(user))));
      return handles.size;
    case 'request': {
      const settled = await Promise.allSettled(
        command.ids.map((id) =>
          handles.get(id)!.request(command.method, {}, command.timeoutMs === undefined ? undefined : { timeoutMs: command.timeoutMs }),
        ),
      );
      return {
        ok: settled.filter((s) => s.status === 'fulfilled').length,
        errors: settled.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as { code?: string }).code ?? s.reason)] : [])),
      };
    }
    case 'status': {
      const status = pool.status();
      return { connections: status.connections, cluster: status.cluster };
    }
    case 'close':
      await pool.close();
      setImmediate(() => process.exit(0));
      return true;
  }
}

await pool.ready();
process.send?.({ type: 'started' });
