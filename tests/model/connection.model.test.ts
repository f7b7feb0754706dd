// Every state and every transition of the connection machine, taken by a real actor: the definition is
// traversed with getShortestPaths and each path replayed with a fake gateway socket and a simulated clock.
import { describe, expect, it } from 'vitest';
import { connectionMachine, type ConnectionMachine } from '../../src/machines/connection/index.js';
import { selectConnectionStatus } from '../../src/machines/connection/selectors.js';
import type { SocketActorInput, SocketCommand, SocketSignal } from '../../src/contracts/index.js';
import type { WireError } from '../../src/protocol/index.js';
import { classifyRefusal } from '../../src/machines/policy/refusals.js';
import { createFakeCallbackActor, deliverSignal, type FakeCallbackActor } from './support/fake-callback-actor.js';
import { mergeReports, runModelPaths, uncoveredEdges, unvisitedStates, type ModelPathOptions } from './support/graph-paths.js';
import type { SnapshotFrom } from 'xstate';
import { TEST_HELLO } from './support/connection-harness.js';

type Snapshot = SnapshotFrom<ConnectionMachine>;
type SocketFake = FakeCallbackActor<SocketCommand, SocketSignal, SocketActorInput>;

const WRONG_TOKEN: WireError = {
  code: 'INVALID_REQUEST',
  message: 'unauthorized: gateway token mismatch',
  details: { code: 'AUTH_TOKEN_MISMATCH', recommendedNextStep: 'update_auth_configuration' },
};
const STARTING: WireError = {
  code: 'UNAVAILABLE',
  message: 'gateway starting; retry shortly',
  retryable: true,
  retryAfterMs: 500,
  details: { reason: 'startup-sidecars' },
};
const BUSY: WireError = { code: 'UNAVAILABLE', message: 'The server is busy', retryable: true };

const inSession = (s: Snapshot) => s.matches('session');
const refusalKind = (s: Snapshot) => (s.context.lastRefusal ? classifyRefusal(s.context.lastRefusal).kind : 'none');

/** The close a real gateway would send after what this session saw. */
function realisticCloseCode(s: Snapshot): number {
  const kind = refusalKind(s);
  if (kind === 'pause') return 1008;
  if (kind === 'retry-after') return 1013;
  if (s.context.expectedRestartMs !== undefined) return 1012;
  return 1006;
}

/**
 * The two watchers of a ready link race on one clock: with the defaults a stalled link meets the pong
 * deadline (10 s) long before the tick watchdog (60 s), and the watchdog fires only on a link whose pings
 * are answered. A shortest path cannot say "pongs kept coming", so each watcher is walked in its own run:
 * `liveness` with the defaults and the watchdog's timer left out, `watchdog` with pings slower than two
 * ticks and the ping timer left out.
 */
type Watcher = 'liveness' | 'watchdog';

function modelOptions(input: { autoOpen: boolean; watcher: Watcher }): ModelPathOptions<ConnectionMachine, { socket: SocketFake }> {
  const skipped = input.watcher === 'liveness' ? 'xstate.after.tickWatchdog.' : 'xstate.after.pingInterval.';
  return {
    // With autoOpen only the start differs (the `always` out of idle); the rest is the same graph.
    filterEvents: input.autoOpen ? () => false : (_, event) => !event.type.startsWith(skipped),
    machine: connectionMachine,
    input: {
      url: 'ws://127.0.0.1:18789',
      random: () => 0.5,
      autoOpen: input.autoOpen,
      ...(input.watcher === 'watchdog' ? { pingIntervalMs: 3 * TEST_HELLO.tickIntervalMs } : {}),
    },
    // What guards read, and nothing unbounded (epoch, attempt, delays).
    stateKey: (s) => JSON.stringify([s.value, refusalKind(s), s.context.expectedRestartMs !== undefined]),
    // Epochs grow without bound: keep only whether a signal belongs to the current socket.
    eventKey: (event, from) => {
      if (!('epoch' in event)) return JSON.stringify(event);
      const { epoch, ...rest } = event;
      return JSON.stringify({ ...rest, epoch: epoch === from.context.epoch ? 'current' : 'stale' });
    },
    events: {
      'socket.opened': (s) => [{ type: 'socket.opened', epoch: s.context.epoch }],
      'socket.challenge': (s) => [{ type: 'socket.challenge', epoch: s.context.epoch }],
      'socket.hello': (s) => [{ type: 'socket.hello', epoch: s.context.epoch, hello: TEST_HELLO }],
      // Refusals answer `connect`, and a gateway announces shutdown to connected clients: sampled where
      // they happen, which keeps the graph small (the handlers sit on the whole session either way).
      'socket.refused': (s) =>
        s.matches({ session: { handshake: 'connecting' } })
          ? [WRONG_TOKEN, STARTING, BUSY].map((error) => ({ type: 'socket.refused' as const, epoch: s.context.epoch, error }))
          : [],
      'socket.shutdown': (s) =>
        s.matches({ session: 'ready' })
          ? [
              { type: 'socket.shutdown', epoch: s.context.epoch, reason: 'gateway restarting', restartExpectedMs: 1_500 },
              { type: 'socket.shutdown', epoch: s.context.epoch, reason: 'gateway stopping' },
            ]
          : [],
      'socket.protocolError': (s) =>
        s.matches({ session: 'ready' }) ? [{ type: 'socket.protocolError', epoch: s.context.epoch, message: 'bad frame' }] : [],
      'socket.activity': (s) => [{ type: 'socket.activity', epoch: s.context.epoch }],
      // A pong answers a ping, so it is sampled only where one is awaited.
      'socket.pong': (s) =>
        s.matches({ session: { ready: { liveness: 'awaitingPong' } } }) ? [{ type: 'socket.pong', epoch: s.context.epoch }] : [],
      'socket.closed': (s) => [{ type: 'socket.closed', epoch: s.context.epoch, code: realisticCloseCode(s), reason: 'closed' }],
      // Late or foreign: a signal of the previous socket while a session runs, or of the ended one after.
      'socket.*': (s) => [{ type: 'socket.closed', epoch: inSession(s) ? s.context.epoch - 1 : s.context.epoch, code: 1006, reason: 'late' }],
      'xstate.error.actor.socket': () => [{ type: 'xstate.error.actor.socket', error: new Error('connect ECONNREFUSED') } as never],
    },
    createFakes: () => {
      const socket: SocketFake = createFakeCallbackActor();
      return { fakes: { socket }, actors: { gatewaySocket: socket.logic } };
    },
    drive: {
      'socket.*': (event, run) => {
        const signal = event as SocketSignal;
        deliverSignal(run.fakes.socket, run.actor, signal, (input) => input.epoch === signal.epoch);
      },
      // A fromCallback can only fail while starting; the model sends the failure the runtime would relay.
      'xstate.error.actor.socket': (event, run) => run.actor.send(event),
    },
    check: ({ actor, fakes, emitted }) => {
      const s = actor.getSnapshot();
      // Notices tell a consistent story: ready and lost alternate, starting with ready.
      let up = false;
      for (const notice of emitted) {
        if (notice.type === 'connection.ready') expect([notice.type, up]).toEqual([notice.type, false]);
        if (notice.type === 'connection.lost') expect([notice.type, up]).toEqual([notice.type, true]);
        if (notice.type === 'connection.ready' || notice.type === 'connection.lost') up = notice.type === 'connection.ready';
      }
      expect(up).toBe(s.matches({ session: 'ready' }));
      const live = fakes.socket.live();
      // Invocation cleanup: exactly the current session's socket runs, and none outside a session.
      expect(live.map((instance) => instance.input.epoch)).toEqual(inSession(s) ? [s.context.epoch] : []);
      expect(s.hasTag('connected')).toBe(s.matches({ session: 'ready' }));
      expect(s.hasTag('busy')).toBe(s.matches({ session: 'handshake' }));
      if (s.matches({ session: 'closing' })) {
        const closes = live[0]?.received.filter((command) => command.type === 'socket.close');
        expect(closes).toEqual([{ type: 'socket.close', code: 4000, reason: s.context.closeRequest?.reason }]);
      }
      // A ping goes out exactly when the liveness watcher starts waiting for its pong.
      if (s.matches({ session: { ready: { liveness: 'awaitingPong' } } })) {
        expect(live[0]?.received.at(-1)).toEqual({ type: 'socket.ping' });
      }
      const status = selectConnectionStatus(s);
      expect(JSON.parse(JSON.stringify(status))).toEqual(status);
    },
  };
}

describe('connection machine model', () => {
  it('replays every shortest path on a real actor and takes every transition of the definition', async () => {
    const report = mergeReports(
      await runModelPaths(modelOptions({ autoOpen: false, watcher: 'liveness' })),
      await runModelPaths(modelOptions({ autoOpen: false, watcher: 'watchdog' })),
      await runModelPaths(modelOptions({ autoOpen: true, watcher: 'liveness' })),
    );

    expect(report.failures).toEqual([]);
    expect(unvisitedStates(report)).toEqual([]);
    expect(uncoveredEdges(report)).toEqual([]);
    // Guard against a vacuous pass: the definition has many edges and the model walked many paths.
    expect(report.edges.length).toBeGreaterThan(25);
    expect(report.pathCount).toBeGreaterThan(50);
  }, 60_000);
});
