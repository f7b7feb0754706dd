// The control connection against the real gateway (attach mode), in the order one gateway lives through:
// connect while it is still starting, use it, refuse a wrong token, stop cleanly, then SIGTERM it and
// bring a new one up on the same port.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createGatewaySupervisor, type GatewaySupervisor, type SupervisorStatus } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { startRealGateway, type RealGateway } from '../support/real-gateway.js';
import { activeResources, processListenerCounts, recordEvents, waitForStatus } from '../support/supervisor-probe.js';

let gateway: RealGateway | undefined;
let replacement: RealGateway | undefined;
const supervisors: GatewaySupervisor[] = [];
let scratch: string;

function attach(extra: Record<string, unknown> = {}, inspect?: (e: InspectionEvent) => void): GatewaySupervisor {
  if (!gateway) throw new Error('no gateway');
  const s = createGatewaySupervisor({
    mode: 'attach',
    url: gateway.url,
    token: gateway.token,
    logger: silentLogger,
    ...extra,
    ...(inspect ? { inspect } : {}),
  });
  supervisors.push(s);
  return s;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'ocs-conn-'));
  // Only listening: the first test connects inside the startup-sidecars window.
  gateway = await startRealGateway({ waitFor: 'listening' });
});

afterAll(async () => {
  for (const s of supervisors) await s.dispose();
  await gateway?.stop();
  await replacement?.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('control connection to the real gateway', () => {
  it('connecting during startup rides the startup-sidecars window to hello-ok without growing the backoff', async () => {
    const rec = recordEvents();
    const supervisor = attach({}, rec.inspect);
    const status = await supervisor.start();
    expect(status.state).toBe('running');
    const refusals = rec.events.filter((e) => e.type === 'socket.refused');
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) {
      expect(r.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true, details: { reason: 'startup-sidecars' } });
    }
    const retries = rec.events.filter((e) => e.type === 'connection.retrying') as unknown as Array<{ attempt: number; delayMs: number }>;
    expect(retries.length).toBeGreaterThan(0);
    // The gateway's retryAfterMs (500) is the wait, and the exponential attempt counter never moved.
    for (const r of retries) expect(r.delayMs).toBe((refusals[0]?.error as { retryAfterMs: number }).retryAfterMs);
    expect(status.connection?.attempt).toBe(0);
    await supervisor.stop();
  });

  it('a token-only handshake reaches hello-ok and answers health and status', async () => {
    const supervisor = attach();
    const status = await supervisor.start();
    expect(status.connection?.server?.version).toBe('2026.9.6');
    expect(status.connection?.auth?.method).toBe('token');
    const health = (await supervisor.request('health')) as Record<string, unknown>;
    const gatewayStatus = (await supervisor.request('status', {})) as Record<string, unknown>;
    expect(typeof health).toBe('object');
    expect(health.ok ?? health.status ?? Object.keys(health).length).toBeTruthy();
    expect(typeof gatewayStatus).toBe('object');
    await supervisor.stop();
  });

  it('1,000 concurrent last-heartbeat requests all succeed through the bounded window', async () => {
    const supervisor = attach();
    await supervisor.start();
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => supervisor.request('last-heartbeat', {}, { timeoutMs: 60_000 })));
    const failed = results.filter((r) => r.status === 'rejected');
    expect(failed.map((f) => (f as PromiseRejectedResult).reason?.code)).toEqual([]);
    expect(results).toHaveLength(1000);
    await supervisor.stop();
  });

  it('a device identity handshake stores a device token (0600) and the next connection uses it', async () => {
    const identityPath = join(scratch, 'device', 'identity.json');
    const first = attach({ device: { identityPath } });
    const s1 = await first.start();
    expect(s1.connection?.auth?.method).not.toBe('device-token');
    expect((await stat(identityPath)).mode & 0o777).toBe(0o600);
    await first.stop();

    const second = attach({ device: { identityPath } });
    const s2 = await second.start();
    expect(s2.connection?.auth?.method).toBe('device-token');
    expect(await second.request('health')).toBeTruthy();
    await second.stop();
  });

  it('a wrong token pauses with AUTH_TOKEN_MISMATCH and never retries by itself', async () => {
    const rec = recordEvents();
    const supervisor = attach({ token: 'not-the-token' }, rec.inspect);
    const error = await supervisor.start().then(
      () => undefined,
      (e: unknown) => e as { code: string; details: Record<string, unknown>; message: string },
    );
    expect(error?.code).toBe('CONNECTION_PAUSED');
    expect(error?.details.reason).toBe('AUTH_TOKEN_MISMATCH');
    expect(error?.message).not.toContain('not-the-token');
    const opensAtPause = rec.events.filter((e) => e.type === 'socket.opened').length;
    expect(opensAtPause).toBe(1);
    // A request now settles at once with a typed error instead of waiting.
    await expect(supervisor.request('health')).rejects.toMatchObject({ code: 'CONNECTION_PAUSED' });
    // Give a retry storm the chance to show itself: none does.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(rec.events.filter((e) => e.type === 'socket.opened').length).toBe(opensAtPause);
    await supervisor.stop();
  });

  it('stop() leaves no socket, timer or process listener behind', async () => {
    const resourcesBefore = activeResources();
    const listenersBefore = processListenerCounts();
    const supervisor = attach();
    await supervisor.start();
    await supervisor.request('health');
    expect(activeResources().TCPSocketWrap ?? 0).toBeGreaterThan(resourcesBefore.TCPSocketWrap ?? 0);
    await supervisor.stop();
    await supervisor.dispose();
    // Socket close handshakes finish on the next turns of the loop.
    await waitUntil(() => (activeResources().TCPSocketWrap ?? 0) <= (resourcesBefore.TCPSocketWrap ?? 0), 5_000);
    expect(activeResources().TCPSocketWrap ?? 0).toBe(resourcesBefore.TCPSocketWrap ?? 0);
    expect(activeResources().Timeout ?? 0).toBeLessThanOrEqual(resourcesBefore.Timeout ?? 0);
    expect(processListenerCounts()).toEqual(listenersBefore);
    await expect(supervisor.request('health')).rejects.toMatchObject({ code: 'STOPPED' });
  });

  it('SIGTERM gives shutdown then 1012, and the connection comes back when the gateway does', async () => {
    const rec = recordEvents();
    const supervisor = attach({}, rec.inspect);
    const first = await supervisor.start();
    const bootBefore = first.connection?.server?.bootId;
    const statuses: SupervisorStatus[] = [];
    supervisor.on('status', (s) => statuses.push(s));
    const port = gateway!.port;
    const token = gateway!.token;
    gateway!.kill('SIGTERM');
    await gateway!.exited;
    await waitForStatus(supervisor, (s) => s.state === 'reconnecting', 30_000, 'reconnecting');
    // The first status after the loss carries the gateway's close; later failed attempts (1006) replace it.
    expect(statuses.find((s) => s.state === 'reconnecting')?.connection?.lastClose?.code).toBe(1012);
    const shutdown = rec.events.find((e) => e.type === 'socket.shutdown');
    expect(shutdown?.reason).toBe('gateway stopping');
    const lostNotice = rec.events.find((e) => e.type === 'connection.lost') as { code: number; expected: boolean } | undefined;
    expect(lostNotice).toMatchObject({ code: 1012, expected: false });

    replacement = await startRealGateway({ port, token, waitFor: 'spawned' });
    const back = await waitForStatus(supervisor, (s) => s.state === 'running', 120_000, 'running again');
    expect(back.connection?.server?.bootId).not.toBe(bootBefore);
    expect(await supervisor.request('health')).toBeTruthy();
    await supervisor.stop();
  }, 180_000);
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}
