// The `gatewayProcess` actor: owns one gateway child for one lifecycle epoch. It reports
// `process.spawned`, then exactly one `process.exited` (after the child and its spawn-broker are gone),
// or a single `process.spawnFailed` when nothing could be started. It obeys `process.terminate` and
// `process.reload`. Stopping the actor (the machine left the state that invoked it) SIGKILLs the child:
// cleanup cannot wait, and the reaping of the broker carries on in the background.
import { fromCallback } from 'xstate';
import type { ProcessActorInput, ProcessCommand, ProcessSignal } from '../../contracts/index.js';
import { spawnGateway, type GatewayChild, type GatewaySpawnOptions } from './spawn-gateway.js';

export interface GatewayProcessDeps extends GatewaySpawnOptions {
  /** SIGTERM grace before SIGKILL on `process.terminate`. */
  graceMs: number;
}

/**
 * Builds the actor logic the runtime provides as `gatewayProcess`. Built once: `depsFor` turns each
 * actor's input (its instance key and epoch) into that gateway's spawn options, read at every spawn.
 */
export function createGatewayProcessLogic(depsFor: (input: ProcessActorInput, system: object) => GatewayProcessDeps) {
  return fromCallback<ProcessCommand, ProcessActorInput>(({ input, system, sendBack, receive }) => {
    const deps = depsFor(input, system);
    const { graceMs, logger } = deps;
    const epoch = input.epoch;
    const signal = (event: ProcessSignal): void => sendBack(event);
    let child: GatewayChild | undefined;
    let stopped = false;
    // A terminate that arrives before the spawn finished is honoured as soon as there is a child.
    let terminateRequested = false;

    spawnGateway(deps).then(
      (spawned) => {
        if (stopped) {
          spawned.kill('SIGKILL');
          return;
        }
        child = spawned;
        signal({ type: 'process.spawned', epoch, pid: spawned.pid });
        void spawned.exited.then((exit) => signal({ type: 'process.exited', epoch, ...exit }));
        if (terminateRequested) void spawned.terminate(graceMs);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : 'the gateway could not be spawned';
        logger?.error({ epoch, message }, 'gateway spawn failed');
        signal({ type: 'process.spawnFailed', epoch, message });
      },
    );

    receive((command) => {
      switch (command.type) {
        case 'process.terminate':
          if (child) void child.terminate(graceMs);
          else terminateRequested = true;
          break;
        case 'process.reload':
          if (!child?.reload()) logger?.warn({ epoch }, 'reload ignored: no running gateway child');
          break;
      }
    });

    return () => {
      stopped = true;
      if (child?.running) {
        logger?.warn({ epoch, pid: child.pid }, 'process actor stopped with the gateway running: SIGKILL');
        child.kill('SIGKILL');
      }
    };
  });
}
