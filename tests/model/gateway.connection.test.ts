// The gateway machine with the real connection machine inside (only the socket is faked): the input it
// gives the connection, the notices that come back, and the close it asks for, fit together.
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { connectionMachine } from '../../src/machines/connection/index.js';
import { gatewayMachine } from '../../src/machines/gateway/gateway.machine.js';
import { selectGatewayStatus } from '../../src/machines/gateway/selectors.js';
import type { SocketActorInput, SocketCommand, SocketSignal } from '../../src/contracts/index.js';
import { createGatewayFakes, hello } from './gateway-harness.js';
import { createFakeCallbackActor } from './support/fake-callback-actor.js';

function createAttachedGateway() {
  const socket = createFakeCallbackActor<SocketCommand, SocketSignal, SocketActorInput>();
  // A real socket answers our close with its close event.
  socket.onCommand = (command, instance) => {
    if (command.type === 'socket.close')
      instance.send({ type: 'socket.closed', epoch: instance.input.epoch, code: command.code, reason: command.reason });
  };
  const { actors } = createGatewayFakes();
  const actor = createActor(
    gatewayMachine.provide({
      actors: { ...actors, connection: connectionMachine.provide({ actors: { gatewaySocket: socket.logic } }) },
    }),
    {
      clock: new SimulatedClock(),
      input: { mode: 'attach', connection: { url: 'ws://127.0.0.1:18789', random: () => 0 } },
    },
  );
  actor.start();
  const handshake = (bootId: string) => {
    const live = socket.live().at(-1);
    if (!live) throw new Error('no live socket');
    const epoch = live.input.epoch;
    live.send({ type: 'socket.opened', epoch });
    live.send({ type: 'socket.challenge', epoch });
    live.send({ type: 'socket.hello', epoch, hello: hello(bootId) });
  };
  return { actor, socket, handshake, status: () => selectGatewayStatus(actor.getSnapshot()) };
}

describe('gateway machine with the real connection machine', () => {
  it('opens the connection on start, runs at hello-ok, and closes it on stop', () => {
    const gw = createAttachedGateway();
    gw.actor.send({ type: 'gateway.start' });
    expect(gw.status()).toMatchObject({ state: 'starting', phase: 'handshaking' });
    expect(gw.socket.live()).toHaveLength(1);

    gw.handshake('boot-1');
    expect(gw.status()).toMatchObject({ state: 'running', bootId: 'boot-1', owned: false });

    gw.actor.send({ type: 'gateway.stop' });
    expect(gw.status().state).toBe('stopped');
    expect(gw.socket.live()).toHaveLength(0);
  });

  it('follows a gateway restarting itself: reconnecting on the 1012 close, running again with the new boot', () => {
    const gw = createAttachedGateway();
    gw.actor.send({ type: 'gateway.start' });
    gw.handshake('boot-1');
    const first = gw.socket.live()[0]!;
    first.send({
      type: 'socket.shutdown',
      epoch: first.input.epoch,
      reason: 'gateway restarting',
      restartExpectedMs: 1_500,
    });
    first.send({ type: 'socket.closed', epoch: first.input.epoch, code: 1012, reason: 'service restart' });
    expect(gw.status().state).toBe('reconnecting');

    gw.actor.getSnapshot().children.connection?.send({ type: 'connection.reconnectNow' });
    gw.handshake('boot-2');
    expect(gw.status()).toMatchObject({ state: 'running', bootId: 'boot-2' });
  });
});
