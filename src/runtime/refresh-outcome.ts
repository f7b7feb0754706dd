// restart() and reload() settle with the refresh machine's verdict on the refresh they asked for.
import type { Actor } from 'xstate';
import { ErrorCodes, SupervisorError } from '../errors.js';
import type { gatewayMachine, RefreshKind } from '../machines/index.js';

/** Triggers a restart or reload and settles once with the outcome the refresh child emits for that kind. */
export function refreshOutcome(actor: Actor<typeof gatewayMachine>, kind: RefreshKind, trigger: () => void): Promise<void> {
  // A stopped actor would never answer: refuse at once instead of waiting forever.
  if (actor.getSnapshot().status !== 'active') {
    return Promise.reject(new SupervisorError(ErrorCodes.STOPPED, `${kind}: the supervisor is not running`));
  }
  const refresh = actor.getSnapshot().context.refresh;
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
