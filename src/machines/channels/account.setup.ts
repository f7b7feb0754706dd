// The implementations behind the channel account chart: placeholder actors and task actions (the runtime
// provides the real ones with machine.provide()), named delays, guards and actions. The chart is in
// account.machine.ts.
import { and, assign, emit, fromCallback, fromPromise, not, raise, setup, stateIn } from 'xstate';
import { budgetWaitMs, chargeRestart, crashRestartDelayMs, healthVerdict } from './health.js';
import { mergeExtra } from './extra.js';
import { linkAfterLogout, linkAfterReport, linkAfterTask, NO_LINK } from './link.js';
import type {
  AccountInstanceInput,
  ChannelAccountContext,
  ChannelAccountEmitted,
  ChannelAccountEvent,
  ChannelAccountInput,
  ChannelAccountStateMeta,
  ResolvedAccount,
  TaskSignal,
} from './types.js';

type Exited = Extract<ChannelAccountEvent, { type: 'task.exited' }>;

/** What a task needs of its account: somewhere to send its signals (the account actor itself). */
export interface AccountSelf {
  send(signal: TaskSignal): void;
}

/** Re-exported for the runtime's task runner. */
export type { TaskSignal };

export const accountSetup = setup({
  types: {
    context: {} as ChannelAccountContext,
    events: {} as ChannelAccountEvent,
    input: {} as ChannelAccountInput,
    emitted: {} as ChannelAccountEmitted,
    meta: {} as ChannelAccountStateMeta,
    children: {} as { startSlot: 'startSlot'; resolveAccount: 'resolveAccount'; readClock: 'readClock' },
  },
  actors: {
    /** Sends back `slot.granted` when one of the manager's start slots is free; its cleanup frees the slot. */
    startSlot: fromCallback<{ type: never }, AccountInstanceInput>(() => notProvided('startSlot')),
    /** Reads the config at this decision: disabled, unconfigured or ready. */
    resolveAccount: fromPromise<ResolvedAccount, AccountInstanceInput>(async () => notProvided('resolveAccount')),
    /** The time of a monitor check (ms since the epoch). */
    readClock: fromPromise<number, void>(async () => notProvided('readClock')),
  },
  delays: {
    restartDelay: ({ context }) => context.restartDelayMs,
    stableRun: ({ context }) => context.settings.stableRunMs,
    stopWait: ({ context }) => context.settings.stopWaitMs,
    monitorGrace: ({ context }) => context.settings.health.graceMs,
    monitorInterval: ({ context }) => context.settings.health.checkIntervalMs,
  },
  guards: {
    isCurrentTask: ({ context, event }) => 'generation' in event && event.generation === context.generation,
    taskLive: stateIn('#account.task.live'),
    stoppingByHand: stateIn('#account.lifecycle.stopping.byHand'),
    stoppingForLogout: stateIn('#account.lifecycle.stopping.forLogout'),
    attemptsExhausted: ({ context }) => context.attempts + 1 > context.settings.maxRestartAttempts,
    noAttempts: ({ context }) => context.attempts === 0,
    resolvedAs: ({ event }, params: { kind: ResolvedAccount['kind'] }) =>
      'output' in event && (event.output as ResolvedAccount | undefined)?.kind === params.kind,
    blocks: ({ event }) => event.type === 'account.status' && typeof event.patch.blocked === 'string',
    unblocks: ({ event }) => event.type === 'account.status' && 'blocked' in event.patch && typeof event.patch.blocked !== 'string',
    monitorOff: ({ context }) => !context.healthMonitor,
    coolingDown: ({ context }) => context.cooldownLeft > 0,
    // The monitor stands aside unless the account is running: backoff, stopping, hand stop, block, give-up.
    notRunning: not(stateIn('#account.lifecycle.running')),
    unhealthyWithBudget: ({ context, event }) => {
      if (!('output' in event) || typeof event.output !== 'number') return false;
      const now = event.output;
      return healthVerdict(context, now) !== null && budgetWaitMs(context.restartTimes, now, context.settings.health.maxRestartsPerHour) === 0;
    },
  },
  actions: {
    // The task is run by the runtime, not by an invoked child actor: at 10,000 accounts a second actor per
    // account doubled the heap (docs/decisions.md). Its lifetime is still the `task.live` state, entered by
    // `runTask` and left only on the current task's `task.exited`. Placeholders do nothing (a trace replay
    // or a picture needs no task); the runtime and the model test provide the real ones.
    /** Starts the plugin's task for `context.generation`; it reports to the account (`task.started`, `account.status`, `task.exited`). */
    runTask: () => {},
    /** Aborts the current task (its abort signal and the plugin's `stopAccount`). */
    abortTask: () => {},
    /** The current task has ended: forget it (a late signal from it is dropped). */
    releaseTask: () => {},
    launchTask: raise({ type: 'task.launch' }),
    bumpGeneration: assign({ generation: ({ context }) => context.generation + 1 }),
    /** A hand start: a new series, and whatever held the account (stop, give-up, block, logout) is lifted. */
    freshSeries: assign({ attempts: 0, reason: null }),
    resetAttempts: assign({ attempts: 0 }),
    markStarted: assign(({ context, event }) => {
      const at = 'at' in event ? event.at : (context.lastStartAt ?? 0);
      return {
        lastStartAt: at,
        lastError: null,
        reason: null,
        link: NO_LINK,
      };
    }),
    markTaskEnded: assign(({ context, event }) => ({
      lastStopAt: (event as Exited).at,
      lastError: (event as Exited).error === '' ? context.lastError : (event as Exited).error,
      link: linkAfterTask(context.link),
    })),
    /** The end of a task we aborted: its exit reason is the stop, not an error (the stuck-task note stays). */
    markTaskStopped: assign(({ context, event }) => ({
      lastStopAt: (event as Exited).at,
      link: linkAfterTask(context.link),
    })),
    markStoppedByHand: assign(({ event }) => ({ lastStopAt: 'at' in event ? event.at : null })),
    setReason: assign({
      reason: ({ event }) => ('output' in event ? ((event.output as { reason?: string }).reason ?? null) : null),
      lastError: ({ event }) => ('output' in event ? ((event.output as { reason?: string }).reason ?? null) : null),
    }),
    setResolveError: assign(({ event }) => {
      const message = 'error' in event ? errorText(event.error) : 'unknown error';
      return { reason: `resolveAccount threw: ${message}`, lastError: `resolveAccount threw: ${message}` };
    }),
    setLoggedOut: assign(({ context, event }) =>
      event.type === 'account.loggedOut'
        ? {
            reason: 'logged out',
            lastError: event.cleared ? 'logged out' : context.lastError,
            link: linkAfterLogout(context.link),
          }
        : {},
    ),
    noteStuckTask: assign(({ context }) => ({
      lastError: `task ${context.generation} of ${context.channelId}/${context.accountId} did not end within ${context.settings.stopWaitMs} ms of its abort signal`,
    })),
    /** A crash: one more attempt, its wait on the curve (and inside the hourly budget), charged now. */
    scheduleCrashRestart: assign(({ context, event }) => {
      const at = (event as Exited).at;
      const attempts = context.attempts + 1;
      const delayMs = crashRestartDelayMs(context.settings, context, attempts, at);
      return {
        attempts,
        restartDelayMs: delayMs,
        restartTimes: chargeRestart(context.restartTimes, at + delayMs, context.settings.health.maxRestartsPerHour),
        lastRestartReason: 'crash' as const,
      };
    }),
    giveUp: assign(({ context }) => ({ attempts: context.attempts + 1 })),
    emitCrashRestart: emit(({ context }) => ({
      type: 'account.restarting' as const,
      reason: 'crash' as const,
      delayMs: context.restartDelayMs,
      attempts: context.attempts,
    })),
    chargeMonitorRestart: assign(({ context, event }) => {
      if (event.type !== 'monitor.restart') return {};
      return {
        restartTimes: chargeRestart(context.restartTimes, event.at, context.settings.health.maxRestartsPerHour),
        lastRestartReason: event.reason,
        lastError: `health-monitor: ${event.reason}`,
      };
    }),
    emitMonitorRestart: emit(({ context, event }) => ({
      type: 'account.restarting' as const,
      reason: event.type === 'monitor.restart' ? event.reason : ('stale-socket' as const),
      delayMs: 0,
      attempts: context.attempts,
    })),
    applyStatus: assign(({ context, event }) => {
      if (event.type !== 'account.status') return {};
      const { connected: _connected, busy: _busy, lastEventAt, blocked, lastError, ...extra } = event.patch;
      const next: Partial<ChannelAccountContext> = {};
      const link = linkAfterReport(context.link, event.patch, event.at);
      if (link !== context.link) next.link = link;
      // Any report is activity; a plugin that keeps its own activity time is believed.
      next.lastEventAt = typeof lastEventAt === 'number' ? lastEventAt : event.at;
      if (typeof blocked === 'string') next.reason = blocked;
      if (lastError !== undefined) next.lastError = typeof lastError === 'string' ? lastError : null;
      if (Object.keys(extra).length > 0) next.extra = mergeExtra(context.extra, extra);
      return next;
    }),
    setMonitor: assign({ healthMonitor: ({ context, event }) => (event.type === 'monitor.configure' ? event.enabled : context.healthMonitor) }),
    startCooldown: assign(({ context }) => ({ cooldownLeft: context.settings.health.cooldownChecks })),
    spendCooldown: assign(({ context }) => ({ cooldownLeft: Math.max(0, context.cooldownLeft - 1) })),
    raiseMonitorRestart: raise(({ context, event }) => {
      const now = 'output' in event && typeof event.output === 'number' ? event.output : 0;
      return { type: 'monitor.restart' as const, reason: healthVerdict(context, now) ?? 'stale-socket', at: now };
    }),
  },
});

/** The events a chart state handles when the task it is waiting on exits: a crash, charged and scheduled. */
export const crashTransitions = [
  { guard: and(['isCurrentTask', 'attemptsExhausted']), target: '#account.lifecycle.gaveUp', actions: ['markTaskEnded', 'giveUp'] },
  {
    guard: 'isCurrentTask',
    target: '#account.lifecycle.restartPending.backoff',
    actions: ['markTaskEnded', 'scheduleCrashRestart', 'emitCrashRestart'],
  },
] as const;

function notProvided(name: string): never {
  throw new Error(`the channel account actor "${name}" was not provided (use createAccountImplementations)`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
