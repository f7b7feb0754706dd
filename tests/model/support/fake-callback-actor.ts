// A controllable stand-in for an adapter actor written with `fromCallback` (the gateway socket, the
// gateway process): every instance the machine starts is recorded with its input, the commands the
// machine sends it, and whether it is still running; the test makes it speak with `instance.send()`.
import { fromCallback, type AnyActorRef, type CallbackActorLogic, type EventObject } from 'xstate';

export interface FakeInstance<TCommand extends EventObject, TSignal extends EventObject, TInput> {
  input: TInput;
  /** Commands the machine sent to this instance, in order. */
  received: TCommand[];
  /** False once the machine stopped it (left the state that invoked it). */
  alive: boolean;
  /** Sends a signal to the machine the way the real actor would (`sendBack`). */
  send(signal: TSignal): void;
}

export interface FakeCallbackActor<TCommand extends EventObject, TSignal extends EventObject, TInput> {
  logic: CallbackActorLogic<TCommand, TInput>;
  /** Every instance started so far, oldest first. */
  instances: Array<FakeInstance<TCommand, TSignal, TInput>>;
  /** Instances not stopped yet. */
  live(): Array<FakeInstance<TCommand, TSignal, TInput>>;
  /** The last instance whose input matches, if any. */
  find(match: (input: TInput) => boolean): FakeInstance<TCommand, TSignal, TInput> | undefined;
  /** The next start throws `error` (as a real adapter whose constructor fails would). */
  failNextStart(error: Error): void;
  /** Runs on every command an instance receives (e.g. to answer `socket.close` with `socket.closed`). */
  onCommand?: (command: TCommand, instance: FakeInstance<TCommand, TSignal, TInput>) => void;
}

export function createFakeCallbackActor<TCommand extends EventObject, TSignal extends EventObject, TInput>(): FakeCallbackActor<
  TCommand,
  TSignal,
  TInput
> {
  let pendingFailure: Error | undefined;
  const fake: FakeCallbackActor<TCommand, TSignal, TInput> = {
    instances: [],
    live: () => fake.instances.filter((instance) => instance.alive),
    find: (match) => [...fake.instances].reverse().find((instance) => match(instance.input)),
    failNextStart: (error) => {
      pendingFailure = error;
    },
    logic: fromCallback<TCommand, TInput>(({ input, sendBack, receive }) => {
      if (pendingFailure) {
        const error = pendingFailure;
        pendingFailure = undefined;
        throw error;
      }
      const instance: FakeInstance<TCommand, TSignal, TInput> = {
        input,
        received: [],
        alive: true,
        send: (signal) => {
          if (!instance.alive) throw new Error(`fake actor: send(${signal.type}) after it was stopped`);
          sendBack(signal);
        },
      };
      fake.instances.push(instance);
      receive((command) => {
        instance.received.push(command);
        fake.onCommand?.(command, instance);
      });
      return () => {
        instance.alive = false;
      };
    }),
  };
  return fake;
}

/**
 * Delivers a signal the way it reaches a machine in production: through the live instance it belongs to,
 * or, when that instance is gone (a late signal of a replaced actor), relayed to the machine directly.
 */
export function deliverSignal<TCommand extends EventObject, TSignal extends EventObject, TInput>(
  fake: FakeCallbackActor<TCommand, TSignal, TInput>,
  actor: AnyActorRef,
  signal: TSignal,
  belongsTo: (input: TInput) => boolean,
): void {
  const instance = fake.live().find((candidate) => belongsTo(candidate.input));
  if (instance) instance.send(signal);
  else actor.send(signal);
}
