// One account of a gateway's own channels, as the supervisor sees it through `channels.status`. The
// gateway is that account's one restart owner (its own ladder, its own budget), so this chart decides
// nothing about restarts: it names what the gateway reports with the same states an in-process account
// has, and says `stale` while the control connection is down instead of showing the account stopped.
import { assign, setup } from 'xstate';
import type { ChannelAccountStateMeta } from './types.js';

/** An account as the gateway's `channels.status` lists it (OpenClaw's ChannelAccountSnapshot; all optional). */
export interface RemoteChannelAccount {
  accountId: string;
  enabled?: boolean;
  configured?: boolean;
  running?: boolean;
  connected?: boolean;
  restartPending?: boolean;
  reconnectAttempts?: number;
  lastError?: string | null;
  lastStartAt?: number | null;
  lastStopAt?: number | null;
  lastEventAt?: number | null;
  healthState?: string;
  lifecycle?: string;
  [field: string]: unknown;
}

export interface MirroredAccountInput {
  channelId: string;
  accountId: string;
}

export interface MirroredAccountContext extends MirroredAccountInput {
  /** The gateway's last report of this account. */
  remote: RemoteChannelAccount | null;
  /** The last `channels.start` / `channels.stop` answer for it. */
  lastOutcome: { outcome: string; reason?: string } | null;
}

export type MirroredAccountEvent =
  | { type: 'mirror.observed'; account: RemoteChannelAccount }
  /** The control connection is down: what we hold may be out of date. */
  | { type: 'mirror.stale' }
  | { type: 'mirror.outcome'; outcome: string; reason?: string };

/** Which state a report names; the order is the gateway's own precedence. */
export function classifyRemote(
  account: RemoteChannelAccount,
): 'disabled' | 'unconfigured' | 'blocked' | 'restartPending' | 'starting' | 'running' | 'stopped' {
  if (account.enabled === false) return 'disabled';
  if (account.configured === false) return 'unconfigured';
  if (account.lifecycle === 'blocked') return 'blocked';
  if (account.restartPending === true || account.lifecycle === 'recovering') return 'restartPending';
  if (account.lifecycle === 'starting') return 'starting';
  if (account.running === true) return 'running';
  return 'stopped';
}

const observed = (kind: ReturnType<typeof classifyRemote>) => ({
  guard: { type: 'reports' as const, params: { kind } },
  target: `#mirroredAccount.${kind}`,
  actions: 'store' as const,
});

export const mirroredAccountMachine = setup({
  types: {
    context: {} as MirroredAccountContext,
    events: {} as MirroredAccountEvent,
    input: {} as MirroredAccountInput,
    meta: {} as ChannelAccountStateMeta,
  },
  guards: {
    reports: ({ event }, params: { kind: ReturnType<typeof classifyRemote> }) =>
      event.type === 'mirror.observed' && classifyRemote(event.account) === params.kind,
  },
  actions: {
    store: assign({ remote: ({ context, event }) => (event.type === 'mirror.observed' ? event.account : context.remote) }),
    storeOutcome: assign({
      lastOutcome: ({ context, event }) =>
        event.type === 'mirror.outcome'
          ? { outcome: event.outcome, ...(event.reason === undefined ? {} : { reason: event.reason }) }
          : context.lastOutcome,
    }),
  },
}).createMachine({
  id: 'mirroredAccount',
  initial: 'unknown',
  context: ({ input }) => ({ channelId: input.channelId, accountId: input.accountId, remote: null, lastOutcome: null }),
  on: {
    'mirror.observed': [
      observed('disabled'),
      observed('unconfigured'),
      observed('blocked'),
      observed('restartPending'),
      observed('starting'),
      observed('running'),
      observed('stopped'),
    ],
    'mirror.outcome': { actions: 'storeOutcome' },
  },
  states: {
    // Created from a report that is about to arrive, or named in a command before any poll.
    unknown: { meta: { lifecycle: 'stopped', state: 'unknown' }, on: { 'mirror.stale': 'stale' } },
    disabled: { meta: { lifecycle: 'stopped', state: 'disabled' }, on: { 'mirror.stale': 'stale' } },
    unconfigured: { meta: { lifecycle: 'stopped', state: 'unconfigured' }, on: { 'mirror.stale': 'stale' } },
    blocked: { meta: { lifecycle: 'blocked', state: 'blocked' }, on: { 'mirror.stale': 'stale' } },
    // The gateway's own ladder: `lifecycle: "recovering"` with `reconnectAttempts` rising.
    restartPending: { meta: { lifecycle: 'recovering', state: 'restartPending' }, on: { 'mirror.stale': 'stale' } },
    starting: { meta: { lifecycle: 'starting', state: 'starting' }, on: { 'mirror.stale': 'stale' } },
    running: { meta: { lifecycle: 'ready', state: 'running' }, on: { 'mirror.stale': 'stale' } },
    stopped: { meta: { lifecycle: 'stopped', state: 'stopped' }, on: { 'mirror.stale': 'stale' } },
    // The last report is kept and shown, marked stale; the next poll after hello-ok replaces it.
    stale: { meta: { lifecycle: 'stopped', state: 'stale' } },
  },
});
