// The fleet client's path: WebSocket primary, HTTP fallback. The socket (an invoked connection machine,
// reconnecting on its own) is tried from start; when it has not reached `hello-ok` within
// `wsReadyTimeoutMs`, HTTP polling of the gateway's real surface begins (`/readyz`, `sessions_list`). When
// the socket is ready the poller stands down and the view is synced (`agents.list`, `sessions.list`), then
// fed by live events; a socket lost for longer than `lossGraceMs` brings polling back. Every wait is a named
// delay; the socket, the sync and the poll are actors the runtime provides.
import { assign, emit, fromPromise, setup } from 'xstate';
import { connectionMachine } from '../connection/connection.machine.js';
import type { ConnectionInput } from '../connection/types.js';
import { defaults } from '../defaults.js';
import type { DualPathContext, DualPathEmitted, DualPathEvent, DualPathInput, FleetPathName, PathFailure, PollInput, SyncInput } from './types.js';

export const dualPathSetup = setup({
  types: {
    context: {} as DualPathContext,
    events: {} as DualPathEvent,
    input: {} as DualPathInput,
    emitted: {} as DualPathEmitted,
    children: {} as { connection: 'connection'; sync: 'initialSync'; poll: 'httpPoll' },
  },
  actors: {
    connection: connectionMachine,
    initialSync: fromPromise<void, SyncInput>(async () => notProvided('initialSync')),
    httpPoll: fromPromise<void, PollInput>(async () => notProvided('httpPoll')),
  },
  actions: {
    recordHello: assign(({ event }) => (event.type === 'connection.ready' ? { bootId: event.hello.bootId } : {})),
    recordPollFailure: assign((_, params: { failure: PathFailure }) => ({ lastPollFailure: params.failure })),
    recordPollSuccess: assign(({ context }) => ({ lastPollFailure: undefined, polls: context.polls + 1 })),
    recordSyncFailure: assign((_, params: { failure: PathFailure }) => ({ lastSyncFailure: params.failure })),
    clearSyncFailure: assign({ lastSyncFailure: undefined }),
    emitPath: emit((_, params: { path: FleetPathName }): DualPathEmitted => ({ type: 'fleet.path', path: params.path })),
    emitPollFailed: emit((_, params: { failure: PathFailure }): DualPathEmitted => ({ type: 'fleet.pollFailed', failure: params.failure })),
    emitSyncFailed: emit((_, params: { failure: PathFailure }): DualPathEmitted => ({ type: 'fleet.syncFailed', failure: params.failure })),
  },
  delays: {
    wsReadyTimeout: ({ context }) => context.wsReadyTimeoutMs,
    pollInterval: ({ context }) => context.pollIntervalMs,
    lossGrace: ({ context }) => context.lossGraceMs,
  },
});

export const dualPathMachine = dualPathSetup.createMachine({
  id: 'dualPath',
  context: ({ input }) => ({
    key: input.key,
    url: input.url,
    wsReadyTimeoutMs: input.wsReadyTimeoutMs ?? defaults.fleet.wsReadyTimeoutMs,
    pollIntervalMs: input.pollIntervalMs ?? defaults.fleet.pollIntervalMs,
    lossGraceMs: input.lossGraceMs ?? defaults.fleet.lossGraceMs,
    reconnect: input.reconnect,
    challengeTimeoutMs: input.challengeTimeoutMs,
    bootId: undefined,
    lastPollFailure: undefined,
    lastSyncFailure: undefined,
    polls: 0,
  }),
  initial: 'running',
  states: {
    // The socket lives as long as the client runs: it reconnects by itself; this chart only picks the path.
    running: {
      invoke: {
        id: 'connection',
        src: 'connection',
        input: ({ context, self }): ConnectionInput => ({
          url: context.url,
          key: context.key,
          supervisor: self,
          autoOpen: true,
          ...(context.reconnect === undefined ? {} : { reconnect: context.reconnect }),
          ...(context.challengeTimeoutMs === undefined ? {} : { challengeTimeoutMs: context.challengeTimeoutMs }),
        }),
      },
      on: { 'fleet.stop': '#dualPath.stopped' },
      initial: 'starting',
      states: {
        starting: {
          entry: { type: 'emitPath', params: { path: 'starting' } },
          after: { wsReadyTimeout: 'http' },
          on: { 'connection.ready': { target: 'websocket', actions: 'recordHello' } },
        },
        websocket: {
          tags: ['live'],
          entry: { type: 'emitPath', params: { path: 'websocket' } },
          on: {
            'connection.lost': 'grace',
            // A paused socket (refused credential) will not come back by itself: poll at once.
            'connection.paused': 'http',
          },
          initial: 'syncing',
          states: {
            syncing: {
              invoke: {
                id: 'sync',
                src: 'initialSync',
                input: ({ context }) => ({ key: context.key, bootId: context.bootId }),
                onDone: { target: 'streaming', actions: 'clearSyncFailure' },
                // Live events still flow; the next hello-ok syncs again.
                onError: {
                  target: 'streaming',
                  actions: [
                    { type: 'recordSyncFailure', params: ({ event }) => ({ failure: failureOf(event.error) }) },
                    { type: 'emitSyncFailed', params: ({ event }) => ({ failure: failureOf(event.error) }) },
                  ],
                },
              },
            },
            streaming: {},
          },
        },
        grace: {
          entry: { type: 'emitPath', params: { path: 'grace' } },
          after: { lossGrace: 'http' },
          on: {
            'connection.ready': { target: 'websocket', actions: 'recordHello' },
            'connection.paused': 'http',
          },
        },
        http: {
          entry: { type: 'emitPath', params: { path: 'http' } },
          on: { 'connection.ready': { target: 'websocket', actions: 'recordHello' } },
          initial: 'fetching',
          states: {
            fetching: {
              invoke: {
                id: 'poll',
                src: 'httpPoll',
                input: ({ context }) => ({ key: context.key }),
                onDone: { target: 'healthy', actions: 'recordPollSuccess' },
                onError: {
                  target: 'failing',
                  actions: [
                    { type: 'recordPollFailure', params: ({ event }) => ({ failure: failureOf(event.error) }) },
                    { type: 'emitPollFailed', params: ({ event }) => ({ failure: failureOf(event.error) }) },
                  ],
                },
              },
            },
            healthy: { after: { pollInterval: 'fetching' } },
            // The gateway answered garbage or 401, or did not answer: said in the state, tried again next period.
            failing: { after: { pollInterval: 'fetching' } },
          },
        },
      },
    },
    stopped: {
      type: 'final',
      entry: { type: 'emitPath', params: { path: 'stopped' } },
    },
  },
});

export type DualPathMachine = typeof dualPathMachine;

function notProvided(name: string): never {
  throw new Error(`${name} actor not provided: use dualPathMachine.provide({ actors: { ${name} } })`);
}

/** A typed failure for the status: the error's `code` when it has one; messages carry no secret by contract. */
function failureOf(error: unknown): PathFailure {
  if (typeof error === 'object' && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : 'UNKNOWN', message: typeof message === 'string' ? message : String(error) };
  }
  return { code: 'UNKNOWN', message: String(error) };
}
