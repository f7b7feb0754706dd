// A connection machine on a simulated clock with a fake gateway socket the test speaks through, for the
// named end-to-end paths (the graph-path test builds its own actors per path).
import { createActor, SimulatedClock, type InspectionEvent } from 'xstate';
import { connectionMachine, selectConnectionState, selectConnectionStatus, type ConnectionInput } from '../../../src/machines/connection/index.js';
import type { SocketActorInput, SocketCommand, SocketSignal } from '../../../src/contracts/index.js';
import type { HelloSummary } from '../../../src/protocol/index.js';
import type { ConnectionNotice } from '../../../src/machines/connection/types.js';
import { createFakeCallbackActor, type FakeInstance } from './fake-callback-actor.js';

type SignalBody = SocketSignal extends infer S ? (S extends SocketSignal ? Omit<S, 'epoch'> : never) : never;

export const TEST_HELLO: HelloSummary = {
  protocol: 4,
  serverVersion: '2026.9.6',
  bootId: 'boot-1',
  connId: 'conn-1',
  tickIntervalMs: 30_000,
  maxPayload: 26_214_400,
  maxBufferedBytes: 52_428_800,
  authMethod: 'token',
  role: 'operator',
  scopes: ['operator.admin'],
  methodCount: 466,
};

export function startConnection(input: Partial<ConnectionInput> = {}) {
  const socket = createFakeCallbackActor<SocketCommand, SocketSignal, SocketActorInput>();
  const clock = new SimulatedClock();
  const inspected: InspectionEvent[] = [];
  const actor = createActor(connectionMachine.provide({ actors: { gatewaySocket: socket.logic } }), {
    clock,
    // random() = 0 takes no jitter off: the plain backoff numbers.
    input: { url: 'ws://127.0.0.1:18789', random: () => 0, ...input },
    inspect: (event) => inspected.push(event),
  });
  const notices: ConnectionNotice[] = [];
  actor.on('*', (notice) => notices.push(notice));
  actor.start();

  const current = (): FakeInstance<SocketCommand, SocketSignal, SocketActorInput> => {
    const live = socket.live();
    if (live.length !== 1) throw new Error(`expected one live socket, found ${live.length}`);
    return live[0]!;
  };
  const signal = (body: SignalBody): void => current().send({ ...body, epoch: current().input.epoch } as SocketSignal);

  return {
    actor,
    clock,
    socket,
    notices,
    current,
    signal,
    state: () => selectConnectionState(actor.getSnapshot()),
    status: () => selectConnectionStatus(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    /** Names of the actions the machine executed, from the inspection stream. */
    actionNames: () => inspected.flatMap((event) => (event.type === '@xstate.action' ? [event.action.type] : [])),
    open: () => actor.send({ type: 'connection.open' }),
    /** opened, challenge, hello-ok on the current socket. */
    handshake: (hello: HelloSummary = TEST_HELLO) => {
      signal({ type: 'socket.opened' });
      signal({ type: 'socket.challenge' });
      signal({ type: 'socket.hello', hello });
    },
    /** Lets the whole current backoff wait pass. */
    waitOutBackoff: () => clock.increment(actor.getSnapshot().context.retryDelayMs ?? 0),
  };
}

export type ConnectionHarness = ReturnType<typeof startConnection>;
