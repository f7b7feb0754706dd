// The commands the inspector page may run for a gateway supervisor, each through its public API: restart
// and reload of the gateway, stop and start of it, and resuming its paused connection (the connection
// machine's own `connection.resume`, sent to the child the supervisor's actor owns); and stop and start of
// a channel account through the channel manager. Hosts add their own in the same shape.
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

interface ChannelManagerLike {
  startChannel(channelId: string, accountId?: string): Promise<unknown>;
  stopChannel(channelId: string, accountId?: string): Promise<unknown>;
}

/** Stop and start of one channel account (`account:<channel>/<accountId>`) through the manager's API. */
export function channelManagerCommands(manager: ChannelManagerLike): Record<string, InspectorCommand> {
  const accountOf = (a: InspectedActor) => {
    const match = /^account:([^/]+)\/(.+)$/.exec(a.systemId ?? '');
    return match ? { channelId: match[1]!, accountId: match[2]! } : undefined;
  };
  const isAccount = (a: InspectedActor) => accountOf(a) !== undefined;
  return {
    stopAccount: { label: 'stop account', appliesTo: isAccount, run: (a) => manager.stopChannel(accountOf(a)!.channelId, accountOf(a)!.accountId) },
    startAccount: {
      label: 'start account',
      appliesTo: isAccount,
      run: (a) => manager.startChannel(accountOf(a)!.channelId, accountOf(a)!.accountId),
    },
  };
}
