// Every state and every transition of the gateway machine, taken by a real actor: the definition is
// traversed with getShortestPaths (one traversal per mode) and each path replayed with fake process,
// connection, probe, readiness, doctor and in-place-restart actors and a simulated clock.
import type { SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { gatewayMachine } from '../../src/machines/gateway/gateway.machine.js';
import { selectGatewayStatus } from '../../src/machines/gateway/selectors.js';
import type { GatewayEvent, GatewayMode } from '../../src/machines/gateway/types.js';
import type { ProcessSignal } from '../../src/contracts/index.js';
import { createGatewayFakes, exited, flush, hello, reportedStates, type FakePromiseInstance, type GatewayFakes } from './gateway-harness.js';
import { deliverSignal } from './support/fake-callback-actor.js';
import { mergeReports, runModelPaths, uncoveredEdges, unvisitedStates, type Driver, type ModelPathOptions } from './support/graph-paths.js';

type GatewayMachine = typeof gatewayMachine;
type Snapshot = SnapshotFrom<GatewayMachine>;

const inOwned = (s: Snapshot) => s.matches('owned');
const linked = (s: Snapshot) => s.matches({ owned: 'linked' }) || s.matches('attached');
const starting = (s: Snapshot) =>
  s.matches({ owned: 'spawning' }) || s.matches({ owned: 'waitingReady' }) || s.matches({ owned: { linked: 'handshaking' } });
const serving = (s: Snapshot) =>
  s.matches({ owned: { linked: 'running' } }) || s.matches({ owned: { linked: 'reconnecting' } }) || s.matches({ owned: { linked: 'reloading' } });

/** Exits a real child could report in the current state (bounded: the uptime only says quick or stable). */
function exitSamples(s: Snapshot): ProcessSignal[] {
  const epoch = s.context.epoch;
  if (s.matches({ owned: 'stopping' }) || s.matches({ owned: 'restarting' })) return [exited(epoch, { code: 0, uptimeMs: 60_000 })];
  if (starting(s)) {
    return [
      exited(epoch, { code: 78, uptimeMs: 4_500, stderrTail: ['Config invalid: run openclaw doctor --fix'] }),
      exited(epoch, { code: 1, uptimeMs: 2_000, stderrTail: ['boom'] }),
    ];
  }
  if (s.matches({ owned: { linked: 'running' } })) {
    return [
      exited(epoch, { code: 1, uptimeMs: 20_000, stderrTail: ['boom'] }),
      exited(epoch, { code: null, signal: 'SIGKILL', uptimeMs: 60_000 }),
      // A late exit of the previous child: must change nothing.
      exited(epoch - 1, { code: 0, uptimeMs: 60_000 }),
    ];
  }
  if (serving(s)) return [exited(epoch, { code: 1, uptimeMs: 20_000, stderrTail: ['boom'] })];
  if (s.matches('stopped')) return [exited(epoch - 1, { code: 0, uptimeMs: 60_000 })];
  // A second report of the exit that sent us here: current epoch, but nothing is waiting for it.
  if (s.matches('respawnBackoff')) return [exited(epoch, { code: 1, uptimeMs: 2_000 })];
  return [];
}

function spawnedSamples(s: Snapshot): ProcessSignal[] {
  if (s.matches({ owned: 'spawning' })) return [{ type: 'process.spawned', epoch: s.context.epoch, pid: 4242 }];
  // Out of place (a second spawned while stopping) and stale (an old child's): both are dropped.
  if (s.matches({ owned: 'stopping' })) return [{ type: 'process.spawned', epoch: s.context.epoch, pid: 4242 }];
  if (s.matches('stopped')) return [{ type: 'process.spawned', epoch: s.context.epoch - 1, pid: 4141 }];
  return [];
}

function spawnFailedSamples(s: Snapshot): ProcessSignal[] {
  if (s.matches({ owned: 'spawning' }) || s.matches({ owned: 'stopping' })) {
    return [{ type: 'process.spawnFailed', epoch: s.context.epoch, message: 'spawn ENOENT' }];
  }
  if (s.matches('stopped')) return [{ type: 'process.spawnFailed', epoch: s.context.epoch - 1, message: 'late' }];
  if (s.matches({ owned: 'waitingReady' })) return [{ type: 'process.spawnFailed', epoch: s.context.epoch, message: 'odd' }];
  return [];
}

function modelOptions(mode: GatewayMode): ModelPathOptions<GatewayMachine, GatewayFakes> {
  return {
    machine: gatewayMachine,
    input: {
      mode,
      connection: { url: 'ws://127.0.0.1:18789' },
      // Two attempts keep the graph small and still show respawn-now, back off, and give up
      // (the named scenarios run the default five).
      crash: { maxAttempts: 2, stableUptimeMs: 30_000 },
      // Two stalls restart the child: one stall counted, the second escalates, and the window forgets.
      stalls: { maxStalls: 2, windowMs: 60_000 },
      reloadTimeoutMs: 15_000,
      stopTimeoutMs: 10_000,
      random: () => 0.5,
    },
    stateKey: (s) =>
      JSON.stringify([
        s.value,
        s.context.crashCount,
        s.context.stallCount,
        s.context.repairAttempted,
        s.context.refreshing ?? null,
        s.context.bootId !== undefined,
      ]),
    // Keys are fixed when an event is sampled (see `keyed`), so they never depend on which snapshot of a
    // state key the traversal happens to hold.
    eventKey: (event) => (event as { [EVENT_KEY]?: string })[EVENT_KEY] ?? JSON.stringify(event),
    events: keyed({
      // Root-level forwarding and refusals are the same everywhere: sample them where nothing else happens.
      'refresh.restart.request': (s) => (s.matches('stopped') ? [{ type: 'refresh.restart.request' }] : []),
      'refresh.reload.request': (s) => (s.matches('stopped') ? [{ type: 'refresh.reload.request' }] : []),
      'refresh.restart.now': (s) => (s.matches('stopped') ? [{ type: 'refresh.restart.now' }] : []),
      'refresh.reload.now': (s) => (s.matches('stopped') ? [{ type: 'refresh.reload.now' }] : []),
      'refresh.spawn': (s) => (s.matches('stopped') ? [{ type: 'refresh.spawn' }] : []),
      // Refused at the root where no state takes them; sampled where they are taken and in `stopped`.
      'gateway.restart': (s) => (s.matches('stopped') || serving(s) || s.matches('attached') ? [{ type: 'gateway.restart' }] : []),
      'gateway.reload': (s) => (s.matches('stopped') || serving(s) || s.matches('attached') ? [{ type: 'gateway.reload' }] : []),
      'process.spawned': spawnedSamples,
      'process.spawnFailed': spawnFailedSamples,
      'process.exited': exitSamples,
      // Where no state takes a process signal, the root drops it (stale or out of place).
      'process.*': (s) => [...spawnedSamples(s), ...spawnFailedSamples(s), ...exitSamples(s)],
      // Only a reload tells a new boot from the same one; elsewhere one realistic sample is enough.
      'connection.ready': (s) => {
        const fresh: GatewayEvent = {
          type: 'connection.ready',
          hello: hello(s.context.bootId === 'boot-1' ? 'boot-2' : 'boot-1'),
        };
        if (s.context.bootId === undefined) return [fresh];
        const same: GatewayEvent = { type: 'connection.ready', hello: hello(s.context.bootId) };
        return s.matches({ owned: { linked: 'reloading' } }) || s.matches({ attached: 'reloading' }) ? [fresh, same] : [same];
      },
      'connection.lost': (s) => [
        s.matches({ owned: { linked: 'reloading' } }) || s.matches({ attached: 'reloading' })
          ? { type: 'connection.lost', code: 1012, reason: 'service restart', expected: true }
          : { type: 'connection.lost', code: 1006, reason: '', expected: false },
        // A stall (our own pong deadline) counts only against an owned child that is serving.
        ...(s.matches({ owned: { linked: 'running' } })
          ? [{ type: 'connection.lost' as const, code: 4000, reason: 'pong timeout', expected: false }]
          : []),
      ],
      'connection.paused': () => [
        {
          type: 'connection.paused',
          reason: 'AUTH_TOKEN_MISMATCH',
          error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch' },
        },
      ],
      // In auto mode only adoption is new; spawning after a free probe is the managed graph again.
      'xstate.done.actor.probePort': (s) =>
        s.context.mode === 'auto'
          ? [doneEvent('probePort', { kind: 'gateway' })]
          : [
              doneEvent('probePort', { kind: 'free' }),
              doneEvent('probePort', { kind: 'gateway' }),
              doneEvent('probePort', { kind: 'foreign', detail: 'HTTP/1.1 400 from nginx' }),
            ],
      'xstate.error.actor.probePort': () => [errorEvent('probePort', 'EACCES')],
      'xstate.done.actor.waitListening': () => [doneEvent('waitListening', undefined)],
      'xstate.error.actor.waitListening': () => [errorEvent('waitListening', 'not listening after 60000 ms')],
      'xstate.done.actor.doctor': () => [doneEvent('doctor', { exitCode: 0 }), doneEvent('doctor', { exitCode: 1 })],
      'xstate.error.actor.doctor': () => [errorEvent('doctor', 'doctor not found')],
      'xstate.error.actor.requestInPlaceRestart': () => [errorEvent('requestInPlaceRestart', 'FORBIDDEN')],
      'xstate.error.actor.process': () => [errorEvent('process', 'node runtime not found')],
    }),
    createFakes: () => createGatewayFakes(),
    drive: {
      'process.*': (event, run) => {
        const signal = event as ProcessSignal;
        deliverSignal(run.fakes.process, run.actor, signal, (input) => input.epoch === signal.epoch);
      },
      'connection.*': (event, run) => {
        const [instance] = run.fakes.connection.live();
        if (!instance) throw new Error(`no live connection to send ${event.type}`);
        instance.send(event as never);
      },
      'xstate.done.actor.probePort': settle((f) => f.probePort),
      'xstate.error.actor.probePort': settle((f) => f.probePort),
      'xstate.done.actor.waitListening': settle((f) => f.waitListening),
      'xstate.error.actor.waitListening': settle((f) => f.waitListening),
      'xstate.done.actor.doctor': settle((f) => f.doctor),
      'xstate.error.actor.doctor': settle((f) => f.doctor),
      'xstate.error.actor.requestInPlaceRestart': settle((f) => f.requestInPlaceRestart),
      // A fromCallback fails only while starting; the model sends the failure as the actor system would.
      'xstate.error.actor.process': (event, run) => run.actor.send(event),
    },
    check: ({ actor, fakes }) => {
      const s = actor.getSnapshot();
      const status = selectGatewayStatus(s);
      // Lifetimes: exactly the current child while owned, one connection while linked, nothing else.
      expect(fakes.process.live().map((i) => i.input.epoch)).toEqual(inOwned(s) ? [s.context.epoch] : []);
      expect(fakes.connection.live()).toHaveLength(linked(s) ? 1 : 0);
      expect(fakes.probePort.pending()).toHaveLength(s.matches('probing') ? 1 : 0);
      expect(fakes.waitListening.pending()).toHaveLength(s.matches({ owned: 'waitingReady' }) ? 1 : 0);
      expect(fakes.doctor.pending()).toHaveLength(s.matches('repairing') ? 1 : 0);
      // Once spawned, the refresh child always knows the lifecycle a host would see (it starts believing
      // `stopped`, so that one is not reported).
      if (s.context.refresh !== undefined) expect(reportedStates(fakes).at(-1) ?? 'stopped').toBe(status.state);
      expect(fakes.refresh.instances.length).toBe(s.context.refresh === undefined ? 0 : 1);
      const child = fakes.process.live()[0];
      if (s.matches({ owned: 'stopping' }) || s.matches({ owned: 'restarting' })) {
        expect(child?.received).toContainEqual({ type: 'process.terminate' });
      }
      if (s.matches({ owned: { linked: 'reloading' } })) expect(child?.received).toContainEqual({ type: 'process.reload' });
      expect(s.hasTag('busy')).toBe(status.state === 'starting' || status.state === 'stopping');
      expect(s.hasTag('ready')).toBe(status.state === 'running' && status.phase === undefined);
      expect(status.owned).toBe(s.context.owned);
      expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    },
  };
}

const EVENT_KEY = Symbol('eventKey');

/** The bounded key of an event sampled in `from`: epochs become current/stale, boot ids same/new. */
function boundedKey(event: GatewayEvent, from: Snapshot): string {
  if (event.type === 'connection.ready') return `connection.ready(${event.hello.bootId === from.context.bootId ? 'same' : 'new'} boot)`;
  if (!('epoch' in event)) return JSON.stringify(event);
  const { epoch, ...rest } = event;
  return JSON.stringify({ ...rest, epoch: epoch === from.context.epoch ? 'current' : 'stale' });
}

type Samplers = ModelPathOptions<GatewayMachine, GatewayFakes>['events'];

/** Attaches each sample's bounded key to it, out of sight of JSON and of the machine. */
function keyed(samplers: Samplers): Samplers {
  const out: Samplers = {};
  for (const [descriptor, sample] of Object.entries(samplers)) {
    if (!sample) continue;
    out[descriptor] = (from) =>
      sample(from).map((event) => Object.defineProperty({ ...event }, EVENT_KEY, { value: boundedKey(event, from), enumerable: false }));
  }
  return out;
}

function doneEvent(id: string, output: unknown): GatewayEvent {
  return { type: `xstate.done.actor.${id}`, output, actorId: id } as never;
}

function errorEvent(id: string, message: string): GatewayEvent {
  return { type: `xstate.error.actor.${id}`, error: new Error(message), actorId: id } as never;
}

/** Resolves or rejects the pending instance of a promise fake with what the event carries. */
function settle(pick: (fakes: GatewayFakes) => { pending(): Array<FakePromiseInstance<never, unknown>> }): Driver<GatewayMachine, GatewayFakes> {
  return async (event, run) => {
    const [instance] = pick(run.fakes).pending();
    if (!instance) throw new Error(`no pending actor for ${event.type}`);
    const carried = event as unknown as { output?: never; error?: unknown };
    if (event.type.startsWith('xstate.done.')) instance.resolve(carried.output as never);
    else instance.reject(carried.error);
    await flush();
  };
}

describe('gateway machine model', () => {
  it('takes every state and every transition of the definition in managed, auto and attach modes', async () => {
    const reports = [];
    for (const mode of ['managed', 'auto', 'attach'] as const) reports.push(await runModelPaths(modelOptions(mode)));
    const report = mergeReports(...reports);
    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    expect(report.pathCount).toBeGreaterThan(50);
  }, 120_000);
});
