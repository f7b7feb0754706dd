// createConnectionPool: many users over shared gateway connections. One connection per gateway URL AND
// credential (a user with another token never rides on someone else's), each a pool-entry actor (a
// connection machine child and the sharing rules) spawned under one pool actor with an instance-scoped
// systemId. The entry's parts (URL, credential, request channel, listeners) live here, found by key: the
// socket adapter is built once and resolves them by the key in its input, so no token enters a snapshot.
import { createActor, type Actor } from 'xstate';
import { createGatewaySocketLogic, type DeviceIdentity } from '../adapters/websocket/index.js';
import { ErrorCodes, SupervisorError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { defaults } from '../machines/defaults.js';
import {
  createPoolImplementations,
  poolMachine,
  poolSystemId,
  selectPoolEntryState,
  selectPoolEntryStatus,
  type PoolEntryEmitted,
  type PoolEntryRef,
  type PoolEntryStateName,
  type PoolEntryStatusView,
  type PoolMachine,
} from '../machines/pool/index.js';
import { parseOptions } from '../config.js';
import { canonicalGatewayUrl, createCredentialFingerprinter, poolKeyOf } from './connection-pool-key.js';
import { createEntryParts, type EntryParts, type PoolEventListener } from './connection-pool-parts.js';
import { createProactiveRouter } from './connection-pool-proactive.js';
import { createClusteredPool, type ClusteredConnectionPool, type ClusterOptions } from './pool-cluster.js';
import {
  connectionPoolSchema,
  poolUserSchema,
  type ConnectionPoolOptions,
  type PoolUser,
  type ProactiveHandler,
} from './connection-pool-options.js';

export type { ConnectionPoolOptions, PoolUser, ProactiveHandler, ProactiveMessage } from './connection-pool-options.js';
export type { PoolEventListener, PoolEventMessage } from './connection-pool-parts.js';
export type { ClusterOptions, ClusteredConnectionPool, ClusteredPoolStatus, ClusterProactiveMessage } from './pool-cluster.js';

/** What `acquire` resolves with: a user's view of a shared connection. */
export interface PoolHandle {
  readonly user: string;
  /** The entry key: canonical URL + credential fingerprint. */
  readonly key: string;
  request(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  /** Every event of the shared connection; returns the unsubscribe. */
  on(type: 'event', listener: PoolEventListener): () => void;
  /** Same as `pool.release(user)`. */
  release(): Promise<void>;
}

export interface ConnectionPoolStatus {
  connections: number;
  byState: Record<PoolEntryStateName, number>;
  users: number;
  entries: PoolEntryStatusView[];
}

export interface ConnectionPool {
  acquire(user: PoolUser): Promise<PoolHandle>;
  release(user: PoolUser | string): Promise<void>;
  status(): ConnectionPoolStatus;
  /** Ids of the users holding a connection to this gateway URL (any credential). */
  usersFor(url: string): string[];
  isConnected(user: PoolUser | string): boolean;
  /** Registers a handler for events of runs the host did not start; returns the unregister. */
  onProactive(handler: ProactiveHandler): () => void;
  /** Closes every connection; every pending request settles (STOPPED). */
  close(): Promise<void>;
  /** The pool's root actor (`pool:<name>`); entries are its children. */
  readonly actor: Actor<PoolMachine>;
}

interface UserRecord {
  id: string;
  key: string;
  handle: PoolHandle;
}

/**
 * With `cluster` (a Redis URL, this host's id, the lease TTL) the pool runs across hosts: one connection per
 * gateway key in the whole cluster, owned by one host at a time (src/runtime/pool-cluster.ts).
 */
export function createConnectionPool(options: ConnectionPoolOptions & { cluster: ClusterOptions }): ClusteredConnectionPool;
export function createConnectionPool(options?: ConnectionPoolOptions): ConnectionPool;
export function createConnectionPool(options: ConnectionPoolOptions & { cluster?: ClusterOptions } = {}): ConnectionPool {
  if (options.cluster !== undefined) return createClusteredPool({ ...options, cluster: options.cluster }, createLocalPool);
  return createLocalPool(options);
}

/**
 * What a clustered pool asks of the local pool it runs its owners' connections on (not public): a device
 * identity per user, so an owner's sockets sign with an identity of their own that the next owner can fence.
 */
export interface LocalPoolInternals {
  deviceFor?(userId: string): DeviceIdentity | undefined;
}

/** The pool on this host alone; `createConnectionPool` without `cluster`, plus what a clustered pool needs. */
export function createLocalPool(options: ConnectionPoolOptions = {}, internals: LocalPoolInternals = {}): ConnectionPool {
  const config = parseOptions(connectionPoolSchema, options, 'connection pool options');
  const logger = (config.logger ?? silentLogger).child({ component: 'pool', pool: config.name });
  const socketLogger = logger.child({ component: 'socket' });
  const fingerprint = createCredentialFingerprinter();
  const canonical = memoize((url: string) => canonicalGatewayUrl(url, 'user.url'));
  const parts = new Map<string, EntryParts>();
  const users = new Map<string, UserRecord>();
  const refs = new Map<string, PoolEntryRef>();
  const router = createProactiveRouter(config.dedupeWindow, logger);
  if (config.onProactive) router.add(config.onProactive);
  let closed = false;

  const partsFor = (key: string): EntryParts => {
    const found = parts.get(key);
    if (found === undefined) throw new SupervisorError(ErrorCodes.CONFIG_INVALID, 'no pool entry with this key', { details: { key } });
    return found;
  };

  const socket = createGatewaySocketLogic(({ key, url }) => {
    const entry = partsFor(key);
    return {
      url,
      credentials: () => ({ ...(entry.token === undefined ? {} : { token: entry.token }), ...(entry.device === undefined ? {} : { deviceIdentity: entry.device }) }),
      client: config.client,
      scopes: config.scopes,
      rpc: entry.rpc,
      onEvent: (event, payload, seq) => onGatewayEvent(entry, event, payload, seq),
      logger: socketLogger,
    };
  });

  const actor = createActor(poolMachine.provide(createPoolImplementations({ socket })), {
    id: poolSystemId(config.name),
    systemId: poolSystemId(config.name),
    input: { name: config.name },
    ...(config.inspect === undefined ? {} : { inspect: config.inspect as never }),
  });
  actor.start();

  function onGatewayEvent(entry: EntryParts, event: string, payload: unknown, seq: number | undefined): void {
    entry.emit({ event, payload, seq });
    const ref = refs.get(entry.key);
    // One activity signal per second is enough to keep the idle clock honest.
    const now = Date.now();
    if (ref !== undefined && now - entry.lastActivityAt >= 1_000) {
      entry.lastActivityAt = now;
      ref.send({ type: 'entry.activity' });
    }
    router.route(entry, event, payload, seq);
  }

  /** The entry of `key`, spawned (lazily connecting) when there is none. */
  function ensureEntry(entry: EntryParts): PoolEntryRef {
    const existing = refs.get(entry.key);
    if (existing !== undefined) return existing;
    actor.send({
      type: 'pool.add',
      input: {
        key: entry.key,
        url: entry.url,
        users: entry.users.size,
        acquireTimeoutMs: config.acquireTimeoutMs,
        idleTimeoutMs: config.idleTimeoutMs,
        releaseCheckMs: defaults.pool.releaseCheckMs,
        reconnect: config.reconnect,
        challengeTimeoutMs: config.challengeTimeoutMs,
      },
    });
    const ref = actor.getSnapshot().context.entries[entry.key];
    if (ref === undefined) throw new SupervisorError(ErrorCodes.STOPPED, 'the connection pool is closed', { details: { key: entry.key } });
    refs.set(entry.key, ref);
    ref.on('entry.refused', (e) => entry.rpc.refuse(refusedError(e)));
    ref.on('entry.unreachable', (e) => entry.rpc.refuse(unreachableError(e)));
    ref.on('entry.ready', () => entry.rpc.refuse(null));
    ref.on('entry.closed', (e) => onEntryClosed(entry, ref, e));
    logger.debug({ key: entry.key }, 'pool entry opened');
    return ref;
  }

  function onEntryClosed(entry: EntryParts, ref: PoolEntryRef, event: Extract<PoolEntryEmitted, { type: 'entry.closed' }>): void {
    if (refs.get(entry.key) !== ref) return;
    refs.delete(entry.key);
    actor.send({ type: 'pool.remove', key: entry.key });
    logger.debug({ key: entry.key, reason: event.reason }, 'pool entry closed');
    // Users still holding the key (an idle close) keep their parts: the next request reconnects.
    if (entry.users.size === 0 || closed) {
      parts.delete(entry.key);
      entry.rpc.close(stoppedError('the pooled connection was closed'));
    }
  }

  function send(ref: PoolEntryRef, event: Parameters<PoolEntryRef['send']>[0]): void {
    if (ref.getSnapshot().status === 'active') ref.send(event);
  }

  async function acquire(user: PoolUser): Promise<PoolHandle> {
    const { id, url, token } = parseOptions(poolUserSchema, user, 'pool user');
    if (closed) throw stoppedError('the connection pool is closed');
    const device = internals.deviceFor?.(id);
    // A user with its own device identity gets its own entry: a socket signed by another identity is not its.
    const key = poolKeyOf(canonical(url), fingerprint(token)) + (device === undefined ? '' : `~${device.deviceId.slice(0, 16)}`);
    const known = users.get(id);
    if (known !== undefined && known.key !== key) await release(id);
    let record = users.get(id);
    let entry = parts.get(key);
    if (entry === undefined) {
      entry = createEntryParts({ key, url: canonical(url), token, device, config });
      parts.set(key, entry);
    }
    const ref = ensureEntry(entry);
    if (record === undefined) {
      record = { id, key, handle: createHandle(id, entry) };
      users.set(id, record);
      entry.users.add(id);
      send(ref, { type: 'entry.acquire' });
    }
    try {
      await untilUsable(ref);
    } catch (error) {
      await release(id);
      throw error;
    }
    return record.handle;
  }

  /** Resolves when the entry can carry requests; rejects with the typed reason when it cannot. */
  function untilUsable(ref: PoolEntryRef): Promise<void> {
    const snapshot = ref.getSnapshot();
    const state = selectPoolEntryState(snapshot);
    if (state === 'ready' || state === 'reconnecting') return Promise.resolve();
    if (state === 'refused') {
      return Promise.reject(refusedError({ key: snapshot.context.key, reason: snapshot.context.pauseReason ?? 'unknown', error: snapshot.context.refusal }));
    }
    if (state === 'closed') return Promise.reject(stoppedError('the pooled connection was closed'));
    // A new acquire is a new chance for a gateway that was unreachable.
    if (state === 'unreachable') ref.send({ type: 'entry.retry' });
    return new Promise<void>((resolve, reject) => {
      const subscriptions = [
        ref.on('entry.ready', () => done(null)),
        ref.on('entry.refused', (e) => done(refusedError(e))),
        ref.on('entry.unreachable', (e) => done(unreachableError(e))),
        ref.on('entry.closed', () => done(stoppedError('the pooled connection was closed'))),
      ];
      function done(error: Error | null): void {
        for (const s of subscriptions) s.unsubscribe();
        if (error === null) resolve();
        else reject(error);
      }
    });
  }

  function createHandle(id: string, entry: EntryParts): PoolHandle {
    let released = false;
    return {
      user: id,
      key: entry.key,
      async request(method, params, requestOptions) {
        if (released || closed) throw stoppedError('this pool handle was released');
        // An entry closed for idleness while its users stayed comes back on the next request.
        const live = parts.get(entry.key) ?? entry;
        const ref = ensureEntry(live);
        send(ref, { type: 'entry.requestStarted' });
        router.noteRequest(live, params);
        try {
          const result = await live.rpc.request(method, params, requestOptions);
          router.noteResult(live, result);
          return result;
        } finally {
          send(ref, { type: 'entry.requestSettled' });
        }
      },
      on(_type, listener) {
        entry.listeners.add(listener);
        return () => entry.listeners.delete(listener);
      },
      release: async () => {
        released = true;
        await release(id);
      },
    };
  }

  async function release(user: PoolUser | string): Promise<void> {
    const id = typeof user === 'string' ? user : user.id;
    const record = users.get(id);
    if (record === undefined) return;
    users.delete(id);
    const entry = parts.get(record.key);
    if (entry === undefined) return;
    entry.users.delete(id);
    const ref = refs.get(record.key);
    if (ref !== undefined) send(ref, { type: 'entry.release' });
    else if (entry.users.size === 0) {
      // No live entry (idle-closed earlier) and no one left: nothing will reconnect it.
      parts.delete(entry.key);
      entry.rpc.close(stoppedError('the pooled connection was closed'));
    }
  }

  function status(): ConnectionPoolStatus {
    const byState: Record<PoolEntryStateName, number> = { connecting: 0, ready: 0, reconnecting: 0, refused: 0, unreachable: 0, closed: 0 };
    const entries: PoolEntryStatusView[] = [];
    for (const ref of refs.values()) {
      const view = selectPoolEntryStatus(ref.getSnapshot());
      byState[view.state]++;
      entries.push(view);
    }
    return { connections: refs.size, byState, users: users.size, entries };
  }

  function usersFor(url: string): string[] {
    const target = canonical(url);
    const found: string[] = [];
    for (const entry of parts.values()) if (entry.url === target) found.push(...entry.users);
    return found;
  }

  function isConnected(user: PoolUser | string): boolean {
    const record = users.get(typeof user === 'string' ? user : user.id);
    if (record === undefined) return false;
    const ref = refs.get(record.key);
    return ref !== undefined && ref.getSnapshot().hasTag('connected');
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    // Requests first, so they settle as STOPPED rather than as a closed connection.
    for (const entry of parts.values()) entry.rpc.close(stoppedError('the connection pool was closed'));
    for (const ref of [...refs.values()]) send(ref, { type: 'entry.close' });
    parts.clear();
    users.clear();
    refs.clear();
    actor.send({ type: 'pool.close' });
    actor.stop();
    router.clear();
  }

  return {
    acquire,
    release,
    status,
    usersFor,
    isConnected,
    onProactive: (handler) => router.add(handler),
    close,
    actor,
  };
}

function refusedError(event: { key: string; reason: string; error?: { code: string; message: string } | undefined }): SupervisorError {
  return new SupervisorError(ErrorCodes.HANDSHAKE_REFUSED, `the gateway refused the credential (${event.reason})`, {
    details: { key: event.key, reason: event.reason, ...(event.error === undefined ? {} : { gatewayCode: event.error.code }) },
  });
}

function unreachableError(event: { key: string; timeoutMs: number }): SupervisorError {
  return new SupervisorError(ErrorCodes.GATEWAY_UNREACHABLE, `no hello-ok from the gateway within ${event.timeoutMs} ms`, {
    retryable: true,
    details: { key: event.key, timeoutMs: event.timeoutMs },
  });
}

function stoppedError(message: string): SupervisorError {
  return new SupervisorError(ErrorCodes.STOPPED, message);
}

function memoize(fn: (input: string) => string): (input: string) => string {
  const cache = new Map<string, string>();
  return (input) => {
    let value = cache.get(input);
    if (value === undefined) {
      value = fn(input);
      cache.set(input, value);
    }
    return value;
  };
}

