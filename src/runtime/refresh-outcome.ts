// restart() and reload() settle with the refresh machine's verdict on the refresh they asked for.
import type { Actor, ActorRefFrom } from 'xstate';
import { ErrorCodes, SupervisorError } from '../errors.js';
import type { gatewayMachine, RefreshKind, refreshMachine } from '../machines/index.js';

type GatewayActor = Actor<typeof gatewayMachine>;
type RefreshRef = ActorRefFrom<typeof refreshMachine>;

/** Triggers a restart or reload and settles once with the outcome the refresh child emits for that kind. */
export function refreshOutcome(actor: GatewayActor, kind: RefreshKind, trigger: () => void): Promise<void> {
  // A stopped actor would never answer: refuse at once instead of waiting forever.
  if (actor.getSnapshot().status !== 'active') {
    return Promise.reject(new SupervisorError(ErrorCodes.STOPPED, `${kind}: the supervisor is not running`));
  }
  // The child must exist before the trigger: its verdict can come within the trigger's own step.
  const refresh = refreshChild(actor, kind);
  if (refresh instanceof Promise) return refresh.then((ref) => outcomeOf(ref, kind, trigger));
  return outcomeOf(refresh, kind, trigger);
}

function outcomeOf(refresh: RefreshRef, kind: RefreshKind, trigger: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sub = refresh.on('refresh.settled', (event) => {
      if (event.kind !== kind) return;
      sub.unsubscribe();
      if (event.outcome === 'completed') return resolve();
      const code = event.outcome === 'skipped' ? ErrorCodes.STOPPED : ErrorCodes.REFRESH_FAILED;
      reject(
        new SupervisorError(code, `${kind}: ${event.reason ?? event.outcome}`, {
          details: { outcome: event.outcome, ...(event.reason === undefined ? {} : { reason: event.reason }) },
        }),
      );
    });
    trigger();
  });
}

/**
 * The refresh child, spawned first if the gateway has none yet. A call made from inside one of the
 * gateway's own steps (a host's status listener) is queued behind that step, so the child may appear a
 * step later: wait for it then.
 */
function refreshChild(actor: GatewayActor, kind: RefreshKind): RefreshRef | Promise<RefreshRef> {
  const existing = actor.getSnapshot().context.refresh;
  if (existing !== undefined) return existing;
  actor.send({ type: 'refresh.spawn' });
  const spawned = actor.getSnapshot().context.refresh;
  if (spawned !== undefined) return spawned;
  return new Promise<RefreshRef>((resolve, reject) => {
    const sub = actor.subscribe({
      next: (snapshot) => {
        if (snapshot.context.refresh === undefined) return;
        sub.unsubscribe();
        resolve(snapshot.context.refresh);
      },
      complete: () => reject(new SupervisorError(ErrorCodes.STOPPED, `${kind}: the supervisor is not running`)),
    });
  });
}
