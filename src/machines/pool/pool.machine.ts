// The pool: one spawned entry per key, each with the instance-scoped systemId `pool-entry:<pool>/<key>`, so
// every shared connection shows in the inspector under one root. The pool only owns the children; the
// runtime decides when an entry is added (first acquire of a key) and removed (the entry reached `closed`).
import { assign, setup, stopChild, type ActorRefFrom } from 'xstate';
import { poolEntryMachine } from './pool-entry.machine.js';
import type { PoolEntryInput, PoolEvent, PoolInput } from './types.js';

export type PoolEntryRef = ActorRefFrom<typeof poolEntryMachine>;

export interface PoolContext {
  name: string;
  /** Key -> the entry's ref. */
  entries: Record<string, PoolEntryRef>;
}

/** The systemId of a pool entry: scoped to the pool's name and the entry's key. */
export function poolEntrySystemId(poolName: string, key: string): string {
  return `pool-entry:${poolName}/${key}`;
}

/** The pool's own systemId. */
export function poolSystemId(poolName: string): string {
  return `pool:${poolName}`;
}

export const poolSetup = setup({
  types: {
    context: {} as PoolContext,
    events: {} as PoolEvent,
    input: {} as PoolInput,
  },
  actors: { entry: poolEntryMachine },
  actions: {
    spawnEntry: assign(({ context, spawn }, params: { input: PoolEntryInput }) => {
      const ref = spawn('entry', {
        id: params.input.key,
        systemId: poolEntrySystemId(context.name, params.input.key),
        input: params.input,
      });
      return { entries: { ...context.entries, [params.input.key]: ref } };
    }),
    forgetEntry: assign(({ context }, params: { key: string }) => {
      const entries = { ...context.entries };
      delete entries[params.key];
      return { entries };
    }),
    stopEntry: stopChild(({ context }, params: { key: string }) => context.entries[params.key] ?? params.key),
  },
  guards: {
    isNewKey: ({ context }, params: { key: string }) => context.entries[params.key] === undefined,
    isKnownKey: ({ context }, params: { key: string }) => context.entries[params.key] !== undefined,
  },
});

export const poolMachine = poolSetup.createMachine({
  id: 'pool',
  context: ({ input }) => ({ name: input.name, entries: {} }),
  initial: 'open',
  states: {
    open: {
      on: {
        'pool.add': {
          guard: { type: 'isNewKey', params: ({ event }) => ({ key: event.input.key }) },
          actions: { type: 'spawnEntry', params: ({ event }) => ({ input: event.input }) },
        },
        'pool.remove': {
          guard: { type: 'isKnownKey', params: ({ event }) => ({ key: event.key }) },
          actions: [
            { type: 'stopEntry', params: ({ event }) => ({ key: event.key }) },
            { type: 'forgetEntry', params: ({ event }) => ({ key: event.key }) },
          ],
        },
        'pool.close': 'closed',
      },
    },
    // Final: the actor stops and with it every entry still spawned (their connections close).
    closed: { type: 'final' },
  },
});

export type PoolMachine = typeof poolMachine;
