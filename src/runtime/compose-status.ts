// Merges the gateway machine's status and its connection child's status into the one plain object a
// host sees, and a key to tell whether anything a host cares about changed.
import type { AnyActorRef } from 'xstate';
import type { GatewaySupervisorConfig } from '../config.js';
import type { HelloSummary } from '../protocol/signals.js';
import { selectConnectionStatus } from '../machines/connection/index.js';
import { selectGatewayStatus } from '../machines/gateway/index.js';
import type { SupervisorStatus } from './status.js';

export function composeStatus(actor: AnyActorRef, config: GatewaySupervisorConfig, wiring: { url: string }): SupervisorStatus {
  const gateway = selectGatewayStatus(actor.getSnapshot());
  const connectionRef = (actor.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children?.connection;
  const status: SupervisorStatus = {
    state: gateway.state,
    ...(gateway.phase === undefined ? {} : { phase: gateway.phase }),
    mode: config.mode,
    owned: gateway.owned,
    url: wiring.url,
    port: config.port,
    ...(gateway.pid === undefined ? {} : { pid: gateway.pid }),
    epoch: gateway.epoch,
    crashCount: gateway.crashCount,
    ...(gateway.error === undefined ? {} : { error: gateway.error }),
    at: Date.now(),
  };
  if (connectionRef) {
    const snapshot = connectionRef.getSnapshot();
    const c = selectConnectionStatus(snapshot);
    const hello = (snapshot as { context?: { hello?: HelloSummary } }).context?.hello;
    status.connection = {
      state: c.state,
      attempt: c.attempt,
      ready: c.ready,
      ...(c.pauseReason === undefined ? {} : { pauseReason: c.pauseReason }),
      ...(c.retryInMs === undefined ? {} : { retryInMs: c.retryInMs }),
      ...(c.lastClose === undefined ? {} : { lastClose: { code: c.lastClose.code, reason: c.lastClose.reason, expected: c.lastClose.expected } }),
      ...(c.server === undefined ? {} : { server: c.server }),
      ...(hello === undefined
        ? {}
        : { auth: { ...(hello.authMethod === undefined ? {} : { method: hello.authMethod }), ...(hello.role === undefined ? {} : { role: hello.role }), scopes: hello.scopes } }),
    };
  }
  return status;
}

/** Everything but the timestamp: two statuses with the same key are the same news. */
export function statusKey(status: SupervisorStatus): string {
  const { at: _at, ...rest } = status;
  return JSON.stringify(rest);
}
