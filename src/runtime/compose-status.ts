// Merges the gateway machine's status and its connection child's status into the one plain object a
// host sees, and a key to tell whether anything a host cares about changed. The connection is read
// through the gateway's own ref to it (`snapshot.children.connection`), never looked up system-wide.
import type { Actor, Subscription } from 'xstate';
import { selectConnectionState, selectConnectionStatus } from '../machines/connection/index.js';
import { selectGatewayStatus, selectLifecycleMeta, type GatewayFailure, type gatewayMachine, type GatewaySnapshot } from '../machines/gateway/index.js';
import type { GatewayLifecycle } from '../machines/refresh/types.js';
import type { GatewayInstance } from './gateway-instance.js';
import type { SupervisorStatus } from './status.js';

export function composeStatus(snapshot: GatewaySnapshot, instance: Pick<GatewayInstance, 'config' | 'url'>): SupervisorStatus {
  const gateway = selectGatewayStatus(snapshot);
  const { config } = instance;
  const status: SupervisorStatus = {
    state: gateway.state,
    ...(gateway.phase === undefined ? {} : { phase: gateway.phase }),
    name: config.name,
    mode: config.mode,
    owned: gateway.owned,
    url: instance.url,
    port: config.port,
    ...(gateway.pid === undefined ? {} : { pid: gateway.pid }),
    epoch: gateway.epoch,
    crashCount: gateway.crashCount,
    stalls: gateway.stalls,
    ...(gateway.error === undefined ? {} : { error: gateway.error }),
    at: Date.now(),
  };
  const connectionRef = snapshot.children.connection;
  if (connectionRef) {
    const connection = connectionRef.getSnapshot();
    const c = selectConnectionStatus(connection);
    const hello = connection.context.hello;
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

/** The few fields the supervisor's own decisions read, taken from the snapshots without composing a status. */
export interface StatusGlance {
  state: GatewayLifecycle;
  owned: boolean;
  error: GatewayFailure | undefined;
  /** The live link's connId (`status.connection.server.connId`). */
  connId: string | undefined;
  /** The connection waits for a new credential (`status.connection.state === 'paused'`), and why. */
  paused: boolean;
  pauseReason: string | undefined;
}

export function glanceAt(snapshot: GatewaySnapshot): StatusGlance {
  const connection = snapshot.children.connection?.getSnapshot();
  const paused = connection !== undefined && selectConnectionState(connection) === 'paused';
  return {
    state: selectLifecycleMeta(snapshot).lifecycle,
    owned: snapshot.context.owned,
    error: snapshot.context.error,
    connId: connection?.context.hello?.connId,
    paused,
    pauseReason: paused ? connection.context.pauseReason : undefined,
  };
}

/** Everything but the timestamp: two statuses with the same key are the same news. */
export function statusKey(status: SupervisorStatus): string {
  const { at: _at, ...rest } = status;
  return JSON.stringify(rest);
}

/**
 * Calls `onChange` after every snapshot of the gateway actor and of its current connection child (a child's
 * snapshots do not reach its parent's subscribers). Follows the child as links come and go.
 */
export function watchGateway(actor: Actor<typeof gatewayMachine>, onChange: () => void): Subscription {
  let watched: { ref: unknown; subscription: Subscription } | undefined;
  const follow = (snapshot: GatewaySnapshot) => {
    const ref = snapshot.children.connection;
    if (watched?.ref === ref) return;
    watched?.subscription.unsubscribe();
    watched = ref === undefined ? undefined : { ref, subscription: ref.subscribe(() => onChange()) };
  };
  const root = actor.subscribe((snapshot) => {
    follow(snapshot);
    onChange();
  });
  return {
    unsubscribe() {
      root.unsubscribe();
      watched?.subscription.unsubscribe();
      watched = undefined;
    },
  };
}
