// Bench 6, device fencing against the real gateway: how long a fenced owner's socket stays authenticated
// after the new owner is (the overlap a clustered pool with `fenceDevices` leaves). The new owner's first act
// after hello-ok is `device.pair.remove` of the previous owner's device; the gateway invalidates and closes
// every socket of that device. Measured here from sending the removal to the old socket's close (an upper
// bound of the gateway-side invalidation), against a plain request round trip on the same connection.
import WebSocket from 'ws';
import { createEphemeralDeviceIdentity } from '../src/adapters/websocket/index.js';
import { buildConnectParams } from '../src/protocol/index.js';
import { launchGateway } from './support/gateways.js';
import { connectRaw } from './support/raw-client.js';
import { ratio, summarize, type LatencySummary } from './support/stats.js';

export interface FenceBenchResult {
  samples: number;
  /** Sending device.pair.remove to the previous device's socket closed (4001) at this end. */
  overlap: LatencySummary;
  /** The same connection's `health` round trip, measured interleaved. */
  request: LatencySummary;
  /** overlap p50 / request p50. */
  p50Ratio: number | null;
  closeCodes: number[];
}

export async function runFenceBench(options: { samples: number; log: (line: string) => void }): Promise<FenceBenchResult> {
  const gateway = await launchGateway();
  try {
    const owner = await connectRaw(gateway.url, gateway.token);
    try {
      const overlap: number[] = [];
      const request: number[] = [];
      const codes = new Set<number>();
      for (let i = 0; i < options.samples; i++) {
        const previous = await connectDevice(gateway.url, gateway.token);
        let t = performance.now();
        await owner.request('health');
        request.push(performance.now() - t);
        t = performance.now();
        const answer = await owner.request('device.pair.remove', { deviceId: previous.deviceId });
        if (!answer.ok) throw new Error(`device.pair.remove refused: ${answer.error?.code ?? 'unknown'}`);
        const closed = await previous.closed;
        overlap.push(closed.at - t);
        codes.add(closed.code);
      }
      const result = { samples: options.samples, overlap: summarize(overlap), request: summarize(request), closeCodes: [...codes] };
      options.log(
        `  device fence: removal to the old socket closed p50 ${result.overlap.p50Ms} ms p99 ${result.overlap.p99Ms} ms; a health round trip p50 ${result.request.p50Ms} ms (close codes ${result.closeCodes.join(', ')})`,
      );
      return { ...result, p50Ratio: ratio(result.overlap.p50Ms, result.request.p50Ms) };
    } finally {
      await owner.close();
    }
  } finally {
    await gateway.stop();
  }
}

/** A previous owner: a socket signed by a fresh device identity, which never closes on its own. */
async function connectDevice(url: string, token: string): Promise<{ deviceId: string; closed: Promise<{ code: number; at: number }> }> {
  const identity = createEphemeralDeviceIdentity();
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.on('close', (code) => resolve({ code, at: performance.now() })));
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; event?: string; id?: string; ok?: boolean; payload?: never };
      if (frame.type === 'event' && frame.event === 'connect.challenge') {
        const params = buildConnectParams({
          client: { version: 'bench', platform: process.platform },
          device: identity,
          challenge: frame.payload!,
          token,
        });
        socket.send(JSON.stringify({ type: 'req', id: 'connect', method: 'connect', params }));
      } else if (frame.type === 'res' && frame.id === 'connect') {
        if (frame.ok) resolve();
        else reject(new Error('the gateway refused the device connect'));
      }
    });
  });
  return { deviceId: identity.deviceId, closed };
}

export function renderFenceMarkdown(result: FenceBenchResult): string {
  return [
    `Device fencing (real gateway, ${result.samples} samples): from the new owner's \`device.pair.remove\` to the previous owner's socket closed (${result.closeCodes.join(', ')}): p50 ${result.overlap.p50Ms} ms, p99 ${result.overlap.p99Ms} ms, max ${result.overlap.maxMs} ms; **${result.p50Ratio}x** a \`health\` round trip on the same connection (p50 ${result.request.p50Ms} ms). This bounds how long two sockets are authenticated for one key after a takeover; the new owner acts only after the removal is answered.`,
    '',
  ].join('\n');
}
