// The chaos tier, attach mode: one real gateway behind the loopback fault proxy, with requests flowing the
// whole time, while the proxy resets, stalls, slices, delays and cuts the link. Every request settles once,
// within its timeout plus a small slack; the link comes back after each fault; a stall is noticed within
// the liveness bound (ping 5 s + pong 5 s). Then, on the same gateway: a wrong token pauses, a corrected
// one resumes the same supervisor.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewaySupervisor, type GatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { waitForStatus } from '../support/supervisor-probe.js';

const REQUEST_TIMEOUT_MS = 3_000;
/** Timers on a loaded 2-core machine fire late; a settlement this much past its deadline is a failure. */
const SLACK_MS = 1_500;
/** Ping interval + pong deadline with the defaults, plus slack for the activity throttle and the load. */
const STALL_BOUND_MS = 10_000 + 2_000;

let gateway: RealGateway;
let proxy: FaultProxy;
const supervisors: GatewaySupervisor[] = [];

beforeAll(async () => {
  gateway = await startRealGateway();
  proxy = await startFaultProxy({ port: gateway.port });
});

afterAll(async () => {
  for (const s of supervisors) await s.dispose();
  await proxy?.close();
  await gateway?.stop();
});

interface Outcome {
  ms: number;
  ok: boolean;
  code?: string;
}

/** `workers` loops of sequential requests until stopped; counts every request made and every settlement. */
function pumpRequests(supervisor: GatewaySupervisor, workers: number) {
  const outcomes: Outcome[] = [];
  let issued = 0;
  let settlements = 0;
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const t0 = performance.now();
      issued++;
      let settledHere = 0;
      await supervisor.request('last-heartbeat', undefined, { timeoutMs: REQUEST_TIMEOUT_MS }).then(
        () => {
          settledHere++;
          outcomes.push({ ms: performance.now() - t0, ok: true });
        },
        (error: { code?: string }) => {
          settledHere++;
          outcomes.push({ ms: performance.now() - t0, ok: false, ...(error.code === undefined ? {} : { code: error.code }) });
        },
      );
      settlements += settledHere;
      // A fast rejection (connection closed) must not spin.
      if (!outcomes.at(-1)?.ok) await sleep(20);
    }
  });
  return {
    outcomes,
    okSince: (index: number) => outcomes.slice(index).filter((o) => o.ok).length,
    async stop() {
      running = false;
      await Promise.all(loops);
      return { issued, settlements };
    },
  };
}

const isRunning = (s: SupervisorStatus) => s.state === 'running';

describe('attach mode through a faulty link', () => {
  it('keeps every promise through reset, stall, slice, delay and close-after-N, and notices a stall within 10 s', async () => {
    const supervisor = createGatewaySupervisor({ mode: 'attach', url: proxy.url, token: gateway.token, logger: silentLogger });
    supervisors.push(supervisor);
    await supervisor.start();
    const pump = pumpRequests(supervisor, 4);
    const backRunning = async (what: string, okAfter: number) => {
      await waitForStatus(supervisor, isRunning, 30_000, `running again after ${what}`);
      const mark = pump.outcomes.length;
      await expect.poll(() => pump.okSince(mark), { timeout: 10_000, message: `requests succeed after ${what}` }).toBeGreaterThan(okAfter);
    };
    await backRunning('start', 20);

    // Reset: every connection gets an RST; the link comes back once the proxy passes again.
    proxy.setMode({ kind: 'reset' });
    await waitForStatus(supervisor, (s) => s.state !== 'running', 5_000, 'the reset noticed');
    proxy.setMode({ kind: 'pass' });
    await backRunning('reset', 20);

    // Stall: TCP stays open and no byte moves. Only the ping/pong check can tell, within ~10 s.
    const connId = supervisor.getStatus().connection?.server?.connId;
    const stalledAt = performance.now();
    proxy.setMode({ kind: 'stall' });
    // Noticed = the link is given up (closed 4000, the gateway machine reconnecting).
    await waitForStatus(supervisor, (s) => s.state === 'reconnecting', STALL_BOUND_MS + 5_000, 'the stall noticed');
    const stallNoticedMs = performance.now() - stalledAt;
    expect(stallNoticedMs).toBeLessThan(STALL_BOUND_MS);
    // The close the stalled peer never confirms is recorded after the close grace.
    const recorded = await waitForStatus(supervisor, (s) => s.connection?.lastClose?.code === 4000, 5_000, 'the stall recorded');
    expect(recorded.connection?.lastClose).toMatchObject({ code: 4000, reason: 'pong timeout' });
    proxy.setMode({ kind: 'pass' });
    await backRunning('stall', 20);
    expect(supervisor.getStatus().connection?.server?.connId).not.toBe(connId);
    expect(supervisor.getStatus().stalls).toEqual({ recent: 0, restarts: 0 });

    // Slice: one byte per write; the frames still arrive whole.
    proxy.setMode({ kind: 'slice' });
    await backRunning('slicing', 10);
    // Delay: every chunk 150 ms late, well inside the request timeout.
    proxy.setMode({ kind: 'delay', ms: 150 });
    await backRunning('delay', 5);

    // Close after N bytes: the link is cut mid-stream (hello-ok alone is ~14 KB), and comes back when it passes.
    proxy.setMode({ kind: 'closeAfter', bytes: 20_000 });
    await waitForStatus(supervisor, (s) => s.state !== 'running', 10_000, 'the cut noticed');
    proxy.setMode({ kind: 'pass' });
    await backRunning('close-after-N', 20);

    const { issued, settlements } = await pump.stop();
    // None lost, none settled twice; each within its deadline plus slack.
    expect(settlements).toBe(issued);
    expect(pump.outcomes).toHaveLength(issued);
    const slowest = Math.max(...pump.outcomes.map((o) => o.ms));
    expect(slowest).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    const codes = new Set(pump.outcomes.filter((o) => !o.ok).map((o) => o.code));
    for (const code of codes) expect(['REQUEST_TIMEOUT', 'CONNECTION_CLOSED']).toContain(code);
    console.info(
      `chaos(attach): ${issued} requests, ${pump.outcomes.filter((o) => o.ok).length} ok, failures ${JSON.stringify([...codes])}, ` +
        `slowest ${Math.round(slowest)} ms, stall noticed after ${Math.round(stallNoticedMs)} ms`,
    );
  });

  it('a wrong token pauses; the corrected one resumes the same supervisor, and requests work', async () => {
    const supervisor = createGatewaySupervisor({ mode: 'attach', url: gateway.url, token: 'not-the-token', logger: silentLogger });
    supervisors.push(supervisor);
    await expect(supervisor.start()).rejects.toMatchObject({ code: 'CONNECTION_PAUSED' });
    expect(supervisor.getStatus()).toMatchObject({
      state: 'error',
      phase: 'paused',
      connection: { state: 'paused', pauseReason: 'AUTH_TOKEN_MISMATCH' },
    });
    await expect(supervisor.request('health')).rejects.toMatchObject({ code: 'CONNECTION_PAUSED' });

    // Bad input is refused by name and changes nothing.
    await expect(supervisor.setCredentials({ token: '' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(supervisor.setCredentials(null as never)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });

    const status = await supervisor.setCredentials({ token: gateway.token });
    expect(status).toMatchObject({ state: 'running', connection: { state: 'ready', auth: { method: 'token' } } });
    expect(status.error).toBeUndefined();
    await expect(supervisor.request('health', undefined, { timeoutMs: 10_000 })).resolves.toBeDefined();

    // A running link given a new credential redials with it (here the same token: a new connection).
    const before = supervisor.getStatus().connection?.server?.connId;
    const again = await supervisor.setCredentials({ token: gateway.token });
    expect(again.connection?.server?.connId).not.toBe(before);
  });
});
