// The hot path under a CPU profiler: one real gateway, then for `raw` and `ours` a handshake and N
// sequential `last-heartbeat` calls, timed. Run with the profiler on this process only:
//   node --cpu-prof --cpu-prof-dir=bench/results/profiles --import tsx bench/profile-hot-path.ts [calls]
// and read the top self-time frames with `tsx bench/profile-top.ts <file.cpuprofile>`.
import { openClient, isGap, type ClientKind } from './support/clients.js';
import { launchGateway } from './support/gateways.js';
import { waitForQuiet } from './support/proc-cpu.js';

const calls = Number(process.argv[2] ?? 5_000);
const gateway = await launchGateway();
try {
  await waitForQuiet(gateway.pid);
  for (const kind of ['raw', 'ours', 'raw', 'ours'] as ClientKind[]) {
    const t0 = performance.now();
    const client = await openClient(kind, { url: gateway.url, token: gateway.token });
    if (isGap(client)) throw new Error(client.gap);
    const handshakeMs = performance.now() - t0;
    for (let i = 0; i < 200; i++) await client.call('last-heartbeat', {});
    const t1 = performance.now();
    for (let i = 0; i < calls; i++) await client.call('last-heartbeat', {});
    const seqMs = performance.now() - t1;
    console.log(
      `${kind}: handshake ${handshakeMs.toFixed(1)} ms; ${calls} sequential in ${seqMs.toFixed(0)} ms = ${Math.round((calls * 1000) / seqMs)}/s`,
    );
    await client.close();
  }
} finally {
  await gateway.stop();
}
