// Many long-lived actors in one actor system, without xstate's O(n) stop. xstate 5's scheduler cancels an
// actor's delayed events (its `after` timers) on every actor stop by scanning every delayed event of the
// system (`scheduler.cancelAll`); each invoked child that ends stops an actor, so 10,000 channel accounts
// (two timers each) made one start O(n) and a mass restart O(n^2). This keeps, per actor, the ids of its
// pending delayed events and cancels exactly those: the same outcome as xstate's scan, in O(own timers).
//
// Only public surfaces are used: the system's `scheduler` (declared on xstate's `ActorSystem`) and the
// `clock` option of `createActor`, through which a fired timer is seen and dropped from the index.
import type { ActorOptions, ActorSystem, AnyActorLogic, AnyActorRef } from 'xstate';

type AnyActorSystem = ActorSystem<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Scheduler = AnyActorSystem['scheduler'];
/** xstate's `Clock` (the `clock` option of createActor), which its index does not export by name. */
export type Clock = NonNullable<ActorOptions<AnyActorLogic>['clock']>;

export interface DelayIndex {
  /** Give this as the `clock` of the system's root actor (it wraps `base`, default the host's timers). */
  readonly clock: Clock;
  /** Called once with the root's system, before any actor of it schedules a delayed event. */
  install(system: AnyActorSystem): void;
  /** Actors with a pending delayed event (for tests and the bench). */
  readonly size: number;
}

const hostTimers: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as never) };

export function createDelayIndex(base: Clock = hostTimers): DelayIndex {
  const bySource = new Map<AnyActorRef, string[]>();
  // The delayed event being scheduled right now: xstate's schedule calls clock.setTimeout synchronously.
  let scheduling: { source: AnyActorRef; id: string } | undefined;

  const forget = (source: AnyActorRef, id: string) => {
    const ids = bySource.get(source);
    if (ids === undefined) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) bySource.delete(source);
  };

  const clock: Clock = {
    setTimeout(fn, ms) {
      const key = scheduling;
      if (key === undefined) return base.setTimeout(fn, ms);
      return base.setTimeout(() => {
        forget(key.source, key.id);
        fn();
      }, ms);
    },
    clearTimeout: (id) => base.clearTimeout(id),
  };

  return {
    clock,
    install(system) {
      const scheduler: Scheduler = system.scheduler;
      const schedule = scheduler.schedule.bind(scheduler);
      const cancel = scheduler.cancel.bind(scheduler);
      // Properties of xstate's own scheduler object are replaced (not the object), so its internal calls
      // (cancelAll calling cancel, a restored system rescheduling) go through these as well.
      scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
        scheduling = { source, id };
        try {
          schedule(source, target, event, delay, id);
        } finally {
          scheduling = undefined;
        }
        const ids = bySource.get(source);
        if (ids === undefined) bySource.set(source, [id]);
        else if (!ids.includes(id)) ids.push(id);
      };
      scheduler.cancel = (source, id) => {
        cancel(source, id);
        forget(source, id);
      };
      scheduler.cancelAll = (actorRef) => {
        const ids = bySource.get(actorRef);
        if (ids === undefined) return;
        bySource.delete(actorRef);
        for (const id of ids) cancel(actorRef, id);
      };
    },
    get size() {
      return bySource.size;
    },
  };
}
