// Test helpers around a supervisor: wait for a status by predicate (bounded, no sleeps), and record
// what the actor system did through core inspection (events received, by type).
import type { InspectionEvent } from 'xstate';
import type { GatewaySupervisor } from '../../src/runtime/gateway-supervisor.js';
import type { SupervisorStatus } from '../../src/runtime/status.js';

export function waitForStatus(
  supervisor: GatewaySupervisor,
  accept: (s: SupervisorStatus) => boolean,
  timeoutMs: number,
  what = 'status',
): Promise<SupervisorStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${what} within ${timeoutMs} ms; last: ${JSON.stringify(supervisor.getStatus())}`));
    }, timeoutMs);
    const check = (s: SupervisorStatus) => {
      if (!accept(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    };
    const off = supervisor.on('status', check);
    check(supervisor.getStatus());
  });
}

/** Collects every event delivered inside the actor system (`@xstate.event`), in order. */
export function recordEvents(): { inspect: (e: InspectionEvent) => void; events: Array<Record<string, unknown> & { type: string }> } {
  const events: Array<Record<string, unknown> & { type: string }> = [];
  return {
    events,
    inspect: (e) => {
      if (e.type === '@xstate.event') events.push(e.event as Record<string, unknown> & { type: string });
    },
  };
}

/** Resources of this process by kind (sockets, timers, ...), from process.getActiveResourcesInfo(). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export function processListenerCounts(): Record<string, number> {
  const names = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'uncaughtException', 'beforeExit'] as const;
  return Object.fromEntries(names.map((n) => [n, process.listenerCount(n)]));
}
