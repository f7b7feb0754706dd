// The whole supervisor (attach mode) against the scripted fake gateway, for faults the real gateway
// cannot produce on demand. Each fault must end in a typed error or a reconnect: never a crash, a hang
// or a request that does not settle.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGatewaySupervisor, type GatewaySupervisor } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { helloOkPayload, startFakeGateway, type FakeGateway, type GatewayScript } from '../support/fake-gateway.js';
import { waitForStatus } from '../support/supervisor-probe.js';

let fake: FakeGateway | undefined;
let supervisor: GatewaySupervisor | undefined;

afterEach(async () => {
  await supervisor?.dispose();
  supervisor = undefined;
  await fake?.close();
  fake = undefined;
});

async function attachTo(scripts: GatewayScript | GatewayScript[]): Promise<GatewaySupervisor> {
  fake = await startFakeGateway(scripts);
  supervisor = createGatewaySupervisor({
    mode: 'attach',
    url: fake.url,
    token: 'fake-token-value',
    logger: silentLogger,
    // Fast, deterministic reconnects: the fault, not the backoff, is under test.
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, jitter: 0 },
    requestTimeoutMs: 5_000,
  });
  return supervisor;
}

/** TCP sockets open in this process (ours and the fake's ends). */
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: { code: string; retryable: boolean }) => ({ ok: false as const, error }),
  );

describe('supervisor against a scripted faulty gateway', () => {
  for (const [name, frame] of [
    ['malformed JSON', { kind: 'raw', text: '{"type":"event",' }],
    ['a non-JSON binary frame', { kind: 'binary', data: Buffer.from([0xde, 0xad, 0xbe, 0xef]) }],
    ['an unknown frame type', { kind: 'raw', text: '{"type":"mystery","x":1}' }],
  ] as const) {
    it(`${name} after hello-ok settles the pending request as retryable CONNECTION_CLOSED and reconnects`, async () => {
      const s = await attachTo([{ onRequest: () => 'ignore' }, {}]);
      await s.start();
      const pending = settle(s.request('health'));
      await fake!.waitForConnections(1);
      fake!.connections[0]!.run([frame]);
      expect(await pending).toMatchObject({ ok: false, error: { code: 'CONNECTION_CLOSED', retryable: true } });
      await fake!.waitForConnections(2);
      await waitForStatus(s, (st) => st.state === 'running' && st.connection?.server?.connId !== undefined && fake!.connections.length === 2, 5_000);
      expect(await s.request('health')).toEqual({ method: 'health' });
    });
  }

  it('stop() resolves once its socket has closed: the gateway saw the close and no socket of ours is left', async () => {
    const s = await attachTo({});
    const before = sockets();
    await s.start();
    expect(sockets()).toBeGreaterThan(before);
    await s.stop();
    expect(fake!.connections[0]!.closed).toEqual({ code: 1000, reason: 'client stopped' });
    expect(sockets()).toBe(before);
  });

  it('start() opens its socket before it builds the charts, and the chart adopts it: one socket per start', async () => {
    fake = await startFakeGateway({});
    const inspected: string[] = [];
    const s = (supervisor = createGatewaySupervisor({
      mode: 'attach',
      url: fake.url,
      token: 'fake-token-value',
      logger: silentLogger,
      inspect: (event) => void inspected.push(event.type),
    }));
    // Built on first use: nothing is inspected, and nothing is open, until then.
    expect(inspected).toEqual([]);
    const before = sockets();
    await expect(s.request('health')).rejects.toMatchObject({ code: 'STOPPED' });
    expect(await s.start()).toMatchObject({ state: 'running', connection: { state: 'ready' } });
    expect(inspected).toContain('@xstate.actor');
    expect(fake.connections).toHaveLength(1);
    expect(fake.connections[0]!.connectParams).toBeDefined();
    expect(await s.request('health')).toEqual({ method: 'health' });
    await s.stop();
    await s.start();
    expect(fake.connections).toHaveLength(2);
    expect(fake.connections[0]!.closed).toEqual({ code: 1000, reason: 'client stopped' });
    await s.stop();
    expect(sockets()).toBe(before);
  });

  it('a stop() right after start() supersedes it before the chart is told, and takes its early socket along', async () => {
    const s = await attachTo({});
    const before = sockets();
    const starting = settle(s.start());
    await s.stop();
    expect(await starting).toMatchObject({ ok: false, error: { code: 'START_SUPERSEDED', retryable: true } });
    expect(s.getStatus().state).toBe('stopped');
    // Ours closed with the stop; the fake's end of it learns of that on its next read.
    await vi.waitFor(() => expect(sockets()).toBe(before), { timeout: 2_000, interval: 5 });
    // The next start is a start like any other.
    expect(await s.start()).toMatchObject({ state: 'running' });
  });

  it('a request made while the socket opens ahead of the chart waits for the connection; a stop then refuses it', async () => {
    // Microtasks all run before the start's next macrotask: ten of them reach past its prepare step, not past that.
    const afterPrepare = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    const s = await attachTo({});
    const starting = s.start();
    await afterPrepare();
    const early = s.request('health');
    await starting;
    expect(await early).toEqual({ method: 'health' });
    await s.stop();

    const superseded = settle(s.start());
    await afterPrepare();
    const refused = settle(s.request('health'));
    await s.stop();
    expect(await superseded).toMatchObject({ ok: false, error: { code: 'START_SUPERSEDED' } });
    expect(await refused).toMatchObject({ ok: false, error: { code: 'STOPPED' } });
    await expect(s.request('health')).rejects.toMatchObject({ code: 'STOPPED' });
  });

  it('dispose() of a supervisor never used builds nothing and leaves nothing; its status still reads', async () => {
    const inspected: string[] = [];
    const s = createGatewaySupervisor({
      mode: 'attach',
      url: 'ws://127.0.0.1:9/',
      token: 'fake-token-value',
      logger: silentLogger,
      inspect: (event) => void inspected.push(event.type),
    });
    await s.dispose();
    expect(inspected).toEqual([]);
    expect(s.getStatus()).toMatchObject({ state: 'stopped', mode: 'attach' });
    await expect(s.start()).rejects.toMatchObject({ code: 'STOPPED' });
  });

  it('status listeners get every change even when a host reads getStatus() from its inspect callback', async () => {
    fake = await startFakeGateway({});
    let host: GatewaySupervisor | undefined;
    supervisor = host = createGatewaySupervisor({
      mode: 'attach',
      url: fake.url,
      token: 'fake-token-value',
      logger: silentLogger,
      // Reads the status as every snapshot is inspected: before the supervisor's own observers run.
      inspect: (event) => {
        if (event.type === '@xstate.snapshot') host?.getStatus();
      },
    });
    const seen: string[] = [];
    host.on('status', (status) => seen.push(`${status.state}/${status.connection?.state ?? '-'}`));
    await host.start();
    expect(seen).toEqual(expect.arrayContaining(['starting/opening', 'starting/awaitingChallenge', 'starting/connecting', 'running/ready']));
    expect(seen.at(-1)).toBe('running/ready');
  });

  it("gateway events reach on('event') with their payload and seq; handshake frames do not", async () => {
    const s = await attachTo({
      afterHello: [
        { kind: 'event', event: 'tick', payload: { ts: 1 }, seq: 1 },
        { kind: 'event', event: 'health', payload: { ok: true }, seq: 2 },
      ],
    });
    const events: Array<{ event: string; payload: unknown; seq: number | undefined }> = [];
    s.on('event', (e) => events.push(e));
    await s.start();
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events).toEqual([
      { event: 'tick', payload: { ts: 1 }, seq: 1 },
      { event: 'health', payload: { ok: true }, seq: 2 },
    ]);
  });

  it('a host listener that throws changes nothing for the supervisor or the other listeners', async () => {
    const s = await attachTo({ afterHello: [{ kind: 'event', event: 'tick', payload: { ts: 1 }, seq: 1 }] });
    const seen: string[] = [];
    s.on('status', () => {
      throw new Error('host bug in a status listener');
    });
    s.on('event', () => {
      throw new Error('host bug in an event listener');
    });
    s.on('event', (e) => seen.push(e.event));
    await s.start();
    await vi.waitFor(() => expect(seen).toEqual(['tick']));
    expect(await s.request('health')).toEqual({ method: 'health' });
    expect(s.getStatus().state).toBe('running');
  });

  it('a response for an unknown id is ignored and the connection stays usable', async () => {
    const s = await attachTo({ afterHello: [{ kind: 'response', id: 'nobody-asked', ok: true, payload: 1 }] });
    await s.start();
    expect(await s.request('status')).toEqual({ method: 'status' });
    expect(fake!.connections).toHaveLength(1);
  });

  it('a hello-ok missing fields is a protocol error, and the next attempt connects', async () => {
    const broken: GatewayScript = { connect: { helloOk: (base) => ({ ...base, policy: undefined, server: undefined }) } };
    const s = await attachTo([broken, {}]);
    await s.start();
    expect(fake!.connections.length).toBe(2);
    expect(fake!.connections[0]!.closed?.code).toBe(4002);
  });

  it('a stall (no frame for two tick intervals) closes with 4000 and reconnects', async () => {
    const s = await attachTo([{ hello: () => helloOkPayload({ policy: { maxPayload: 1e6, maxBufferedBytes: 1e6, tickIntervalMs: 100 } }) }, {}]);
    await s.start();
    await fake!.waitForConnections(2);
    expect(await fake!.waitForClose(0)).toMatchObject({ code: 4000 });
  });

  it('a request larger than policy.maxPayload fails with PAYLOAD_TOO_LARGE without being sent', async () => {
    const s = await attachTo({ hello: () => helloOkPayload({ policy: { maxPayload: 1_000, maxBufferedBytes: 1e6, tickIntervalMs: 30_000 } }) });
    await s.start();
    await expect(s.request('config.patch', { blob: 'x'.repeat(5_000) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const methods = fake!.connections[0]!.received.map((f) => (f as { method?: string }).method);
    expect(methods).not.toContain('config.patch');
    expect(await s.request('health')).toEqual({ method: 'health' });
  });

  it('a protocol-version refusal pauses with PROTOCOL_MISMATCH after one attempt', async () => {
    const s = await attachTo({
      connect: {
        error: { code: 'INVALID_REQUEST', message: 'protocol mismatch', details: { code: 'PROTOCOL_MISMATCH' } },
        close: { code: 1002, reason: 'protocol mismatch' },
      },
    });
    await expect(s.start()).rejects.toMatchObject({ code: 'CONNECTION_PAUSED', details: { reason: 'PROTOCOL_MISMATCH' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake!.connections).toHaveLength(1);
  });

  it('a request the gateway never answers settles with REQUEST_TIMEOUT', async () => {
    const s = await attachTo({ onRequest: () => 'ignore' });
    await s.start();
    await expect(s.request('health', undefined, { timeoutMs: 100 })).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('bad request arguments are typed errors naming the field', async () => {
    const s = await attachTo({});
    await s.start();
    await expect(s.request('')).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'method' });
    await expect(s.request('health', undefined, { timeoutMs: -5 })).rejects.toMatchObject({ code: 'CONFIG_INVALID', field: 'opts.timeoutMs' });
  });

  it('requests made while stopped reject with STOPPED, and stop() during start() rejects the start', async () => {
    const s = await attachTo({ connect: 'ignore' });
    await expect(s.request('health')).rejects.toMatchObject({ code: 'STOPPED' });
    const starting = settle(s.start());
    await fake!.waitForConnections(1);
    await s.stop();
    expect(await starting).toMatchObject({ ok: false, error: { code: 'START_SUPERSEDED' } });
  });

  it('the token never appears in what the supervisor reports', async () => {
    const s = await attachTo({
      connect: {
        error: { code: 'INVALID_REQUEST', message: 'unauthorized', details: { code: 'AUTH_TOKEN_MISMATCH' } },
        close: { code: 1008, reason: 'unauthorized' },
      },
    });
    const outcome = await settle(s.start());
    expect(JSON.stringify(outcome)).not.toContain('fake-token-value');
    expect(JSON.stringify(s.getStatus())).not.toContain('fake-token-value');
  });
});
