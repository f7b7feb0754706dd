// Tells the `refresh` child the gateway's lifecycle name each time it changes, read from the states'
// `meta`. So no state repeats its lifecycle in an entry action: the meta is the one place it is said.
// It watches its own parent's snapshots (no I/O, no timer) and stops with it.
import { fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import type { GatewayLifecycle } from '../refresh/types.js';
import { lifecycleMetaOf, type MetaSnapshot } from './lifecycle.js';

export interface LifecycleReporterInput {
  /** The gateway machine actor whose snapshots are watched. */
  gateway: AnyActorRef;
  /** Receives `gateway.state { value }`. */
  refresh: AnyActorRef;
}

export const lifecycleReporter = fromCallback<EventObject, LifecycleReporterInput>(({ input }) => {
  // The refresh machine starts believing what the gateway machine starts as (`stopped`): only a change
  // from there is news, and each report costs the refresh chart a macrostep.
  let last: GatewayLifecycle | undefined = 'stopped';
  const report = (snapshot: MetaSnapshot) => {
    const value = lifecycleMetaOf(snapshot).lifecycle;
    if (value === last) return;
    last = value;
    input.refresh.send({ type: 'gateway.state', value });
  };
  // The lifecycle the gateway is in now (when it is not where both started), then every change.
  report(input.gateway.getSnapshot() as MetaSnapshot);
  const subscription = input.gateway.subscribe(report);
  return () => subscription.unsubscribe();
});
