// The commands the inspector page may run for a gateway supervisor, each through its public API: restart
// and reload of the gateway, stop and start of it, and resuming its paused connection (the connection
// machine's own `connection.resume`, sent to the child the supervisor's actor owns). Hosts add their
// own (a channel account's stop/start) in the same shape.
import type { AnyActorRef } from 'xstate';
import type { InspectedActor, InspectorCommand } from './inspector-server.js';

interface SupervisorLike {
  actor: AnyActorRef;
  restart(): Promise<unknown>;
  reload(): Promise<unknown>;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}

export function supervisorCommands(supervisor: SupervisorLike): Record<string, InspectorCommand> {
  const isGateway = (a: InspectedActor) => a.actorId === supervisor.actor.sessionId;
  const connection = () => (supervisor.actor.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children?.connection;
  return {
    restart: { label: 'restart', appliesTo: isGateway, run: () => supervisor.restart() },
    reload: { label: 'reload', appliesTo: isGateway, run: () => supervisor.reload() },
    stop: { label: 'stop', appliesTo: isGateway, run: () => supervisor.stop() },
    start: { label: 'start', appliesTo: isGateway, run: () => supervisor.start() },
    resume: {
      label: 'resume connection',
      appliesTo: (a) => a.machineId === 'connection' && a.actorId === connection()?.sessionId,
      run: () => connection()?.send({ type: 'connection.resume' }),
    },
  };
}
