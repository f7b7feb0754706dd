// One shared connection of a pool: the connection machine for one gateway URL and credential, plus what only
// a shared connection has to decide. Users come and go (`entry.acquire` / `entry.release`); the first
// `hello-ok` has a deadline, so acquirers are told `unreachable` instead of waiting forever; a refused
// credential pauses the entry (no retry storm) and its acquirers are told why; the last user leaving closes
// the entry on a deferred check, but only when nothing is pending; a ready entry with no traffic for
// `idleTimeoutMs` closes. Timers are named delays; the socket is the connection child's invoked actor.
import { assign, cancel, emit, raise, setup } from 'xstate';
import { connectionMachine } from '../connection/connection.machine.js';
import type { ConnectionInput } from '../connection/types.js';
import { defaults } from '../defaults.js';
import type { PoolEntryCloseReason, PoolEntryContext, PoolEntryEmitted, PoolEntryEvent, PoolEntryInput } from './types.js';

export const poolEntrySetup = setup({
  types: {
    context: {} as PoolEntryContext,
    events: {} as PoolEntryEvent,
    input: {} as PoolEntryInput,
    emitted: {} as PoolEntryEmitted,
    children: {} as { connection: 'connection' },
  },
  // The real chart; the runtime provides it again with its socket adapter (createPoolEntryImplementations).
  actors: { connection: connectionMachine },
  actions: {
    addUser: assign({ users: ({ context }) => context.users + 1 }),
    removeUser: assign({ users: ({ context }) => Math.max(0, context.users - 1) }),
    addPending: assign({ pending: ({ context }) => context.pending + 1 }),
    removePending: assign({ pending: ({ context }) => Math.max(0, context.pending - 1) }),
    /** "Checked on a deferred tick": a release followed at once by an acquire keeps the connection. */
    /** One check outstanding at most: a newer release or settlement replaces the older check. */
    cancelCheck: cancel('releaseCheck'),
    scheduleCheck: raise({ type: 'entry.check' }, { id: 'releaseCheck', delay: 'releaseCheck' }),
    recordPause: assign(({ event }) =>
      event.type === 'connection.paused' ? { refusal: event.error, pauseReason: event.reason } : { refusal: undefined, pauseReason: 'unknown' },
    ),
    clearPause: assign({ refusal: undefined, pauseReason: undefined }),
    setCloseReason: assign((_, params: { reason: PoolEntryCloseReason }) => ({ closeReason: params.reason })),
    emitReady: emit(({ context }): PoolEntryEmitted => ({ type: 'entry.ready', key: context.key })),
    emitLost: emit(({ context, event }): PoolEntryEmitted => ({
      type: 'entry.lost',
      key: context.key,
      code: event.type === 'connection.lost' ? event.code : 1006,
      reason: event.type === 'connection.lost' ? event.reason : '',
    })),
    emitRefused: emit(({ context }): PoolEntryEmitted => ({
      type: 'entry.refused',
      key: context.key,
      reason: context.pauseReason ?? 'unknown',
      ...(context.refusal === undefined ? {} : { error: context.refusal }),
    })),
    emitUnreachable: emit(({ context }): PoolEntryEmitted => ({ type: 'entry.unreachable', key: context.key, timeoutMs: context.acquireTimeoutMs })),
    emitClosed: emit(({ context }): PoolEntryEmitted => ({ type: 'entry.closed', key: context.key, reason: context.closeReason ?? 'closed' })),
  },
  guards: {
    unused: ({ context }) => context.users === 0 && context.pending === 0,
    nothingPending: ({ context }) => context.pending === 0,
  },
  delays: {
    acquireTimeout: ({ context }) => context.acquireTimeoutMs,
    idleTimeout: ({ context }) => context.idleTimeoutMs,
    releaseCheck: ({ context }) => context.releaseCheckMs,
  },
});

export const poolEntryMachine = poolEntrySetup.createMachine({
  id: 'poolEntry',
  context: ({ input }) => ({
    key: input.key,
    url: input.url,
    users: input.users ?? 0,
    pending: 0,
    acquireTimeoutMs: input.acquireTimeoutMs ?? defaults.pool.acquireTimeoutMs,
    idleTimeoutMs: input.idleTimeoutMs ?? defaults.pool.idleTimeoutMs,
    releaseCheckMs: input.releaseCheckMs ?? defaults.pool.releaseCheckMs,
    reconnect: input.reconnect,
    challengeTimeoutMs: input.challengeTimeoutMs,
    refusal: undefined,
    pauseReason: undefined,
    closeReason: undefined,
  }),
  initial: 'live',
  on: {
    'entry.acquire': { actions: 'addUser' },
    'entry.release': { actions: ['removeUser', 'cancelCheck', 'scheduleCheck'] },
    'entry.requestStarted': { actions: 'addPending' },
    'entry.requestSettled': { actions: ['removePending', 'cancelCheck', 'scheduleCheck'] },
    'entry.check': { guard: 'unused', target: '.closed', actions: { type: 'setCloseReason', params: { reason: 'released' } } },
    'entry.close': { target: '.closed', actions: { type: 'setCloseReason', params: { reason: 'closed' } } },
  },
  states: {
    // The connection child lives exactly as long as this state: leaving it closes the socket.
    live: {
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
      initial: 'connecting',
      on: {
        'connection.paused': { target: 'refused', actions: ['recordPause', 'emitRefused'] },
      },
      states: {
        connecting: {
          tags: ['busy'],
          after: { acquireTimeout: { target: '#poolEntry.unreachable', actions: 'emitUnreachable' } },
          on: { 'connection.ready': { target: 'ready', actions: 'emitReady' } },
        },
        ready: {
          tags: ['connected'],
          on: { 'connection.lost': { target: 'reconnecting', actions: 'emitLost' } },
          initial: 'active',
          states: {
            // Re-entered on every request and inbound event: the idle clock restarts.
            active: {
              on: {
                'entry.activity': { target: 'active', reenter: true },
                'entry.requestStarted': { target: 'active', reenter: true, actions: 'addPending' },
                'entry.requestSettled': { target: 'active', reenter: true, actions: ['removePending', 'cancelCheck', 'scheduleCheck'] },
              },
              after: {
                idleTimeout: [
                  { guard: 'nothingPending', target: '#poolEntry.closed', actions: { type: 'setCloseReason', params: { reason: 'idle' } } },
                  // A request still out is traffic to come: wait another period.
                  { target: 'active', reenter: true },
                ],
              },
            },
          },
        },
        // Lost after a ready: the connection child backs off and redials; requests queue meanwhile.
        reconnecting: {
          tags: ['busy'],
          on: { 'connection.ready': { target: 'ready', actions: 'emitReady' } },
        },
      },
    },
    // The gateway refused the credential: no socket, no retry until the host says so.
    refused: {
      on: { 'entry.retry': { target: 'live', actions: 'clearPause' } },
    },
    // No hello-ok within the acquire deadline: the socket is closed, waiting acquirers were rejected.
    unreachable: {
      on: { 'entry.retry': 'live' },
    },
    closed: {
      type: 'final',
      entry: ['cancelCheck', 'emitClosed'],
    },
  },
});

export type PoolEntryMachine = typeof poolEntryMachine;
