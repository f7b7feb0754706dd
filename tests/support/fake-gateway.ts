// The scripted fake gateway lives in src/testing (one copy for these tests and for hosts); this file adds
// the harness that drives the gatewaySocket actor directly.
import { createActor, createMachine, type AnyActorLogic } from 'xstate';
import type { SocketCommand, SocketSignal } from '../../src/contracts/index.js';
import { createGatewaySocketLogic, type GatewaySocketDeps } from '../../src/adapters/websocket/index.js';

export * from '../../src/testing/fake-gateway.js';

// ---- driving the gatewaySocket actor -----------------------------------------------------------------

export interface SocketActorHarness {
  readonly signals: SocketSignal[];
  /** Resolves with the first signal of `type` (already received or next). */
  waitFor<T extends SocketSignal['type']>(type: T): Promise<Extract<SocketSignal, { type: T }>>;
  send(command: SocketCommand): void;
  stop(): void;
}

/** Runs `logic` as the invoked child of a tiny parent machine that records every signal it is sent. */
/** The socket actor logic for one connection whose deps the test fixed up front (every input gets them). */
export function socketLogic(deps: GatewaySocketDeps) {
  return createGatewaySocketLogic(() => deps);
}

export function runSocketActor(logic: AnyActorLogic, epoch = 1): SocketActorHarness {
  const signals: SocketSignal[] = [];
  const listeners = new Set<() => void>();
  const parent = createMachine({
    invoke: { id: 'socket', src: logic, input: { epoch, key: 'default', url: 'ws://fixed-by-deps' } },
    on: {
      '*': {
        actions: ({ event }) => {
          signals.push(event as SocketSignal);
          for (const listener of [...listeners]) listener();
        },
      },
    },
  });
  const actor = createActor(parent);
  actor.start();
  return {
    signals,
    waitFor(type) {
      type Wanted = Extract<SocketSignal, { type: typeof type }>;
      const find = (): Wanted | undefined => signals.find((s): s is Wanted => s.type === type);
      return new Promise((resolve) => {
        const found = find();
        if (found) return resolve(found);
        const listener = (): void => {
          const hit = find();
          if (!hit) return;
          listeners.delete(listener);
          resolve(hit);
        };
        listeners.add(listener);
      });
    },
    send(command) {
      actor.getSnapshot().children.socket?.send(command);
    },
    stop() {
      actor.stop();
      listeners.clear();
    },
  };
}
