// The implementations behind the gateway chart: placeholder actors (the runtime provides the real ones
// with machine.provide()), named delays, guards and actions. The chart itself is in gateway.machine.ts.
import { assign, emit, enqueueActions, fromCallback, fromPromise, sendTo, setup } from 'xstate';
import type {
  DoctorResult,
  EndpointInput,
  InstanceInput,
  PortProbeResult,
  ProcessActorInput,
  ProcessCommand,
  ProcessSignal,
} from '../../contracts/index.js';
import { decideCrashRespawn, type CrashDecision } from '../policy/crash-backoff.js';
import { classifyExit } from '../policy/exit-codes.js';
import { CloseCodes } from '../policy/close-codes.js';
import { connectionMachine } from '../connection/connection.machine.js';
import { refreshMachine } from '../refresh/refresh.machine.js';
import type { RefreshKind, RefreshRequest } from '../refresh/types.js';
import { toExit } from './failures.js';
import { lifecycleReporter } from './lifecycle-reporter.js';
import { refreshSystemId } from './system-ids.js';
import type {
  ConnectionActorInput,
  GatewayContext,
  GatewayEmitted,
  GatewayEvent,
  GatewayFailure,
  GatewayMachineInput,
  GatewayStateMeta,
  HelloSummary,
} from './types.js';

/** The close code of our own liveness verdicts (CloseCodes.CLIENT_TIMEOUT). */
const STALL_CLOSE_CODE = CloseCodes.CLIENT_TIMEOUT;

type ExitedSignal = Extract<ProcessSignal, { type: 'process.exited' }>;

export const gatewaySetup = setup({
  types: {
    context: {} as GatewayContext,
    events: {} as GatewayEvent,
    input: {} as GatewayMachineInput,
    emitted: {} as GatewayEmitted,
    meta: {} as GatewayStateMeta,
    // Child id -> actor: `snapshot.children.connection` is typed as the connection machine's ref.
    children: {} as {
      refresh: 'refresh';
      lifecycleReporter: 'lifecycleReporter';
      process: 'gatewayProcess';
      connection: 'connection';
      probePort: 'probePort';
      waitListening: 'waitListening';
      doctor: 'doctor';
      requestInPlaceRestart: 'requestInPlaceRestart';
    },
  },
  // Placeholders typed exactly like the adapters' logic (signals come back through `sendBack`, so they are
  // not the callback's emitted type): `provide()` in gateway.implementations.ts checks the real ones.
  actors: {
    probePort: fromPromise<PortProbeResult, EndpointInput>(async () => notProvided('probePort')),
    gatewayProcess: fromCallback<ProcessCommand, ProcessActorInput>(() => notProvided('gatewayProcess')),
    waitListening: fromPromise<void, EndpointInput>(async () => notProvided('waitListening')),
    doctor: fromPromise<DoctorResult, InstanceInput>(async () => notProvided('doctor')),
    requestInPlaceRestart: fromPromise<void, InstanceInput>(async () => notProvided('requestInPlaceRestart')),
    // The real chart; provided again with the socket adapter by createGatewayImplementations.
    connection: connectionMachine,
    refresh: refreshMachine,
    lifecycleReporter,
  },
  delays: {
    stopTimeout: ({ context }) => context.settings.stopTimeoutMs,
    reloadTimeout: ({ context }) => context.settings.reloadTimeoutMs,
    respawnDelay: ({ context }) => context.respawnDelayMs,
    stallWindow: ({ context }) => context.settings.stalls.windowMs,
  },
  guards: {
    isCurrent: ({ context, event }) => 'epoch' in event && event.epoch === context.epoch,
    isStale: ({ context, event }) => 'epoch' in event && event.epoch !== context.epoch,
    inMode: ({ context }, params: { mode: GatewayContext['mode'] }) => context.mode === params.mode,
    portFree: (_, params: { seen: PortProbeResult['kind'] }) => params.seen === 'free',
    // Only `auto` may adopt a gateway it finds; `managed` promised to spawn its own.
    adoptable: (_, params: { seen: PortProbeResult['kind']; mode: GatewayContext['mode'] }) => params.seen === 'gateway' && params.mode === 'auto',
    isConfigExit: ({ event }) => event.type === 'process.exited' && classifyExit(event) === 'config-invalid',
    repairAttempted: ({ context }) => context.repairAttempted,
    crashRespawnsNow: ({ context, event }) => event.type === 'process.exited' && decideCrash(context, event).action === 'respawn-now',
    crashBacksOff: ({ context, event }) => event.type === 'process.exited' && decideCrash(context, event).action === 'respawn-later',
    doctorRepaired: (_, params: { exitCode: number }) => params.exitCode === 0,
    /** Our own watchers closed the link (pong or tick timeout: 4000): it was open but carried no bytes. */
    isStall: ({ event }) => event.type === 'connection.lost' && event.code === STALL_CLOSE_CODE,
    stallLimitReached: ({ context, event }) =>
      event.type === 'connection.lost' && event.code === STALL_CLOSE_CODE && context.stallCount + 1 >= context.settings.stalls.maxStalls,
    hasStalls: ({ context }) => context.stallCount > 0,
    isNewBoot: ({ context, event }) => event.type === 'connection.ready' && event.hello.bootId !== context.bootId,
  },
  actions: {
    bumpEpoch: assign({ epoch: ({ context }) => context.epoch + 1 }),
    beginLifecycle: assign({ crashCount: 0, stallCount: 0, repairAttempted: false, error: undefined, refreshing: undefined }),
    markOwned: assign({ owned: true, pid: undefined }),
    markAttached: assign({ owned: false, pid: undefined }),
    forgetGateway: assign({ pid: undefined, bootId: undefined, serverVersion: undefined }),
    assignPid: assign({ pid: ({ event }) => (event.type === 'process.spawned' ? event.pid : undefined) }),
    assignHello: assign(({ event }) => (event.type === 'connection.ready' ? helloFields(event.hello) : {})),
    markServing: assign({ repairAttempted: false }),
    markRepairing: assign({ repairAttempted: true }),
    recordExit: assign({
      lastExit: ({ event, context }) => (event.type === 'process.exited' ? toExit(event) : context.lastExit),
      pid: undefined,
    }),
    recordCrash: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'process.exited') return;
      const decision = decideCrash(context, event);
      const exit = toExit(event);
      enqueue.assign({
        crashCount: decision.crashCount,
        respawnDelayMs: decision.action === 'respawn-later' ? decision.delayMs : 0,
        lastExit: exit,
        pid: undefined,
      });
      enqueue.emit({ type: 'gateway.crashed', exit, decision });
    }),
    resetCrashes: assign({ crashCount: 0 }),
    recordStall: assign({ stallCount: ({ context }) => context.stallCount + 1 }),
    forgetStalls: assign({ stallCount: 0 }),
    escalateStalls: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'gateway.stalled', stalls: context.stallCount + 1 });
      enqueue.assign({ stallCount: 0, stallRestarts: context.stallRestarts + 1 });
    }),
    fail: assign({ error: (_, params: GatewayFailure) => params }),
    clearError: assign({ error: undefined }),
    // The refresh child and the reporter that tells it the lifecycle, made on first use. Spawned in this
    // order, they start in this order after the step: the reporter's first report (the lifecycle now,
    // unless it is `stopped`, where the refresh chart starts) reaches refresh before a forwarded request.
    spawnRefresh: assign(({ context, spawn, self, system }) => {
      if (context.refresh !== undefined) return {};
      const systemId = refreshSystemId(context.settings.key);
      const refresh = spawn('refresh', {
        id: 'refresh',
        // Taken only where the system has no such actor: at run time a second one would be a second gateway
        // of this key, which registerGatewayInstance refuses; a pure traversal (xstate/graph) spawns again and
        // again in the one system it explores with.
        ...(system.get(systemId) === undefined ? { systemId } : {}),
        input: { supervisor: self, ...context.settings.refresh },
      });
      spawn('lifecycleReporter', { id: 'lifecycleReporter', input: { gateway: self, refresh } });
      return { refresh };
    }),
    forwardToRefresh: enqueueActions(({ context, event, enqueue }) => {
      if (context.refresh !== undefined && isRefreshRequest(event)) enqueue.sendTo(context.refresh, event);
    }),
    // Only the refresh child sends gateway.restart/reload, so it exists whenever one is refused.
    refuseRefresh: enqueueActions(({ context, event, enqueue }) => {
      if (context.refresh === undefined) return;
      enqueue.sendTo(context.refresh, {
        type: 'refresh.failed',
        kind: event.type === 'gateway.restart' ? 'restart' : 'reload',
        reason: 'gateway-not-running',
      });
    }),
    beginRefresh: assign({ refreshing: (_, params: { kind: RefreshKind }) => params.kind }),
    completeRefresh: enqueueActions(({ context, enqueue }) => {
      if (context.refreshing === undefined || context.refresh === undefined) return;
      enqueue.sendTo(context.refresh, { type: 'refresh.completed', kind: context.refreshing });
      enqueue.assign({ refreshing: undefined });
    }),
    failRefresh: enqueueActions(({ context, enqueue }, params: { reason: string }) => {
      if (context.refreshing === undefined || context.refresh === undefined) return;
      enqueue.sendTo(context.refresh, { type: 'refresh.failed', kind: context.refreshing, reason: params.reason });
      enqueue.assign({ refreshing: undefined });
    }),
    fallBackToRestart: enqueueActions(({ enqueue }) => {
      enqueue.assign({ refreshing: 'restart' });
      enqueue.emit({ type: 'gateway.reloadTimedOut', fallback: 'restart' });
    }),
    reportReloadTimeout: emit({ type: 'gateway.reloadTimedOut', fallback: 'none' }),
    terminateProcess: sendTo('process', { type: 'process.terminate' }),
    reloadProcess: sendTo('process', { type: 'process.reload' }),
    closeConnection: sendTo('connection', { type: 'connection.close' }),
    reconnectConnection: sendTo('connection', { type: 'connection.reconnect' }),
    // No-ops on purpose: their names are what the inspection stream shows for a dropped signal.
    dropStale: (_, _params: undefined) => undefined,
    ignoreUnexpected: (_, _params: undefined) => undefined,
    announceDrop: emit(({ context, event }, params: { reason: 'stale-epoch' | 'unexpected' }) => dropped(context, event, params.reason)),
  },
});

// ---- transitions said once, used by several states ----------------------------------------------------

/** From `stopped` or `error`: attach mode connects at once, the others first probe the port. */
export const startTransitions = gatewaySetup.createStateConfig({
  on: {
    'gateway.start': [
      { guard: { type: 'inMode', params: { mode: 'attach' } }, target: '#gateway.attached', actions: 'beginLifecycle' },
      { target: '#gateway.probing', actions: 'beginLifecycle' },
    ],
  },
}).on['gateway.start'];

/** A process signal no state took: from an older epoch, or out of place. Either way dropped, visibly. */
export const dropUnhandledSignal = gatewaySetup.createStateConfig({
  on: {
    'process.*': [
      { guard: 'isStale', actions: ['dropStale', { type: 'announceDrop', params: { reason: 'stale-epoch' } }] },
      { actions: ['ignoreUnexpected', { type: 'announceDrop', params: { reason: 'unexpected' } }] },
    ],
  },
}).on['process.*'];

// ---- helpers (pure) -----------------------------------------------------------------------------------

const REFRESH_REQUESTS = new Set<string>(['refresh.restart.request', 'refresh.reload.request', 'refresh.restart.now', 'refresh.reload.now']);

function isRefreshRequest(event: GatewayEvent): event is RefreshRequest {
  return REFRESH_REQUESTS.has(event.type);
}

function notProvided(name: string): never {
  throw new Error(`gateway machine: actor "${name}" must be provided with machine.provide()`);
}

function decideCrash(context: GatewayContext, event: ExitedSignal): CrashDecision {
  return decideCrashRespawn({ crashCount: context.crashCount, uptimeMs: event.uptimeMs }, context.settings.crash, context.settings.random);
}

function helloFields(hello: HelloSummary): Partial<GatewayContext> {
  return { bootId: hello.bootId, serverVersion: hello.serverVersion };
}

export function connectionInput(self: ConnectionActorInput['supervisor'], context: GatewayContext): ConnectionActorInput {
  return { ...context.settings.connection, key: context.settings.key, supervisor: self, autoOpen: true };
}

/** The input of the actors that need only the instance and its epoch (process, doctor, in-place restart). */
export function instanceInput(context: GatewayContext): InstanceInput {
  return { epoch: context.epoch, key: context.settings.key };
}

/** The input of the actors that need to know where the gateway listens (probe, listen wait). */
export function endpointInput(context: GatewayContext): EndpointInput {
  return { ...instanceInput(context), ...context.settings.endpoint };
}

function dropped(context: GatewayContext, event: GatewayEvent, reason: 'stale-epoch' | 'unexpected'): GatewayEmitted {
  return {
    type: 'gateway.dropped',
    signal: event.type,
    epoch: 'epoch' in event ? event.epoch : -1,
    currentEpoch: context.epoch,
    reason,
  };
}
