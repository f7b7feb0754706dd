// Many machines in one house: one parent machine runs two gateway machines (attach mode, each to its own
// scripted gateway) in one actor system, with one set of adapters built once and resolved by instance key.
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, setup, type Actor, type AnyActorRef, type InspectionEvent } from 'xstate';
import { gatewaySupervisorSchema, parseOptions } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { gatewaySystemId, refreshSystemId, selectGatewayStatus, type GatewaySnapshot } from '../../src/machines/gateway/index.js';
import { lookupIn, provideGatewayMachine } from '../../src/runtime/gateway-adapters.js';
import { createGatewaySupervisor, type GatewaySupervisor } from '../../src/runtime/gateway-supervisor.js';
import { createGatewayInstance, type GatewayInstance } from '../../src/runtime/gateway-instance.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

const fakes: FakeGateway[] = [];
const supervisors: GatewaySupervisor[] = [];
let fleet: Actor<ReturnType<typeof fleetMachine>> | undefined;

afterEach(async () => {
  fleet?.stop();
  fleet = undefined;
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.dispose()));
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function instance(name: string, url: string, token: string): GatewayInstance {
  const config = parseOptions(gatewaySupervisorSchema, { name, mode: 'attach', url, token, logger: silentLogger });
  return createGatewayInstance(config, silentLogger, { onEvent: () => {}, onOutput: () => {} });
}

/** A parent that owns two gateways as children, each under its instance-scoped system id. */
function fleetMachine(a: GatewayInstance, b: GatewayInstance) {
  // One provided machine for both: the adapters find each gateway's URL and token by its key.
  const gateway = provideGatewayMachine(lookupIn([a, b]));
  return setup({ actors: { gateway } }).createMachine({
    invoke: [
      { id: 'a', systemId: gatewaySystemId(a.key), src: 'gateway', input: a.input },
      { id: 'b', systemId: gatewaySystemId(b.key), src: 'gateway', input: b.input },
    ],
  });
}

function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('two gateway machines in one actor system', () => {
  it('both reach running with their own URL and token, show up with distinct ids, and both stop cleanly', async () => {
    fakes.push(await startFakeGateway(), await startFakeGateway());
    const [fakeA, fakeB] = fakes as [FakeGateway, FakeGateway];
    const a = instance('alpha', fakeA.url, 'token-of-alpha');
    const b = instance('beta', fakeB.url, 'token-of-beta');
    const inspected: InspectionEvent[] = [];
    fleet = createActor(fleetMachine(a, b), { inspect: (event) => inspected.push(event) });
    fleet.start();

    const gateways = [fleet.system.get(gatewaySystemId('alpha')), fleet.system.get(gatewaySystemId('beta'))] as AnyActorRef[];
    expect(gateways.every(Boolean)).toBe(true);
    const state = (ref: AnyActorRef) => selectGatewayStatus(ref.getSnapshot() as GatewaySnapshot).state;
    for (const ref of gateways) ref.send({ type: 'gateway.start' });
    await until(() => gateways.every((ref) => state(ref) === 'running'), 'both gateways running');

    // Each gateway reached its own server with its own credential.
    expect(fakeA.connections).toHaveLength(1);
    expect(fakeB.connections).toHaveLength(1);
    expect(fakeA.connections[0]?.connectParams).toMatchObject({ auth: { token: 'token-of-alpha' } });
    expect(fakeB.connections[0]?.connectParams).toMatchObject({ auth: { token: 'token-of-beta' } });
    // Requests travel on each gateway's own channel.
    expect(await a.rpc.request('health')).toEqual({ method: 'health' });
    expect(await b.rpc.request('status')).toEqual({ method: 'status' });

    // Each gateway's refresh child is spawned on first use; ask for both, to see their ids side by side.
    for (const ref of gateways) ref.send({ type: 'refresh.spawn' });
    // In the inspection stream: distinct sessions, instance-scoped system ids, and one connection each.
    const actors = inspected.filter((e) => e.type === '@xstate.actor').map((e) => e.actorRef as AnyActorRef & { systemId?: string });
    const systemIds = actors.map((ref) => ref.systemId).filter(Boolean);
    expect(systemIds).toEqual(expect.arrayContaining(['gateway:alpha', 'gateway:beta', refreshSystemId('alpha'), refreshSystemId('beta')]));
    expect(new Set(systemIds).size).toBe(systemIds.length);
    const connections = gateways.map((ref) => (ref.getSnapshot() as GatewaySnapshot).children.connection);
    expect(connections[0]).toBeDefined();
    expect(connections[0]?.sessionId).not.toBe(connections[1]?.sessionId);
    const snapshotsOf = (ref: AnyActorRef) => inspected.filter((e) => e.type === '@xstate.snapshot' && e.actorRef === ref).length;
    for (const ref of [...gateways, ...connections]) expect(snapshotsOf(ref as AnyActorRef)).toBeGreaterThan(0);

    for (const ref of gateways) ref.send({ type: 'gateway.stop' });
    await until(() => gateways.every((ref) => state(ref) === 'stopped'), 'both gateways stopped');
    await Promise.all([fakeA.waitForClose(0), fakeB.waitForClose(0)]);
    for (const ref of gateways) expect((ref.getSnapshot() as GatewaySnapshot).children.connection).toBeUndefined();
    expect(a.rpc.stats()).toMatchObject({ attached: false, inFlight: 0, queued: 0 });
    expect(b.rpc.stats()).toMatchObject({ attached: false, inFlight: 0, queued: 0 });

    fleet.stop();
    for (const ref of gateways) expect(ref.getSnapshot().status).toBe('stopped');
  });
});

describe('supervisors of one process', () => {
  it('share one provided machine, and two with the same name still each reach their own gateway', async () => {
    fakes.push(await startFakeGateway(), await startFakeGateway());
    const [fakeA, fakeB] = fakes as [FakeGateway, FakeGateway];
    // Both are named "default": their instance keys are equal, their actor systems are not.
    const a = createGatewaySupervisor({ mode: 'attach', url: fakeA.url, token: 'token-of-a', logger: silentLogger });
    const b = createGatewaySupervisor({ mode: 'attach', url: fakeB.url, token: 'token-of-b', logger: silentLogger });
    supervisors.push(a, b);
    expect(a.actor.logic).toBe(b.actor.logic);
    expect(a.actor.system).not.toBe(b.actor.system);

    await Promise.all([a.start(), b.start()]);
    expect(fakeA.connections.map((c) => c.connectParams)).toEqual([expect.objectContaining({ auth: { token: 'token-of-a' } })]);
    expect(fakeB.connections.map((c) => c.connectParams)).toEqual([expect.objectContaining({ auth: { token: 'token-of-b' } })]);
    expect(await a.request('health')).toEqual({ method: 'health' });
    expect(await b.request('status')).toEqual({ method: 'status' });

    // Disposing one leaves the other's parts in place: it reconnects on its own credential.
    await a.dispose();
    fakeB.connections[0]?.socket.close(1012, 'service restart');
    await until(() => fakeB.connections.length === 2 && b.getStatus().state === 'running', 'b reconnected');
    expect(fakeB.connections[1]?.connectParams).toMatchObject({ auth: { token: 'token-of-b' } });
  });
});
