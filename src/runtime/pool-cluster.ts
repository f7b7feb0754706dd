// A connection pool across hosts (createConnectionPool({ cluster })): each gateway key is owned by one host
// at a time through a Redis lease (one lease chart per key per interested host, systemId
// `lease:<pool>/<key>`). The owner holds the only connection for the key (a user of its local pool) and runs
// the proactive handlers; a request made on any other host is forwarded to the owner through Redis pub/sub
// and settles exactly once, with the caller's deadline and the owner's typed error. Every action the owner
// takes is checked against its lease on its own monotonic clock at that moment, so a host paused past its
// lease acts on nothing it buffered. When a host joins, owners hand the keys it is preferred for over to it
// (pool-cluster-rebalance.ts): stop taking new work for the key, drain what is in flight, close the connection,
// release the lease and tell the claimer to take it at once.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { createActor, type Actor } from 'xstate';
import { createLeaseStore, duplicateRedis, openRedis, type LeaseClaim, type LeaseStore, type RedisEndpoint } from '../adapters/redis/index.js';
import { createEphemeralDeviceIdentity, type DeviceIdentity } from '../adapters/websocket/index.js';
import { parseOptions } from '../config.js';
import { GatewayRequestError, SupervisorError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { defaults } from '../machines/defaults.js';
import { createLeaseImplementations, leaseMachine, leaseSystemId, selectLeaseOwned, selectLeaseStatus, type LeaseStatusView } from '../machines/lease/index.js';
import { canonicalGatewayUrl, createCredentialFingerprinter, poolKeyOf, type CredentialFingerprinter } from './connection-pool-key.js';
import { connectionPoolSchema, poolUserSchema, type ConnectionPoolOptions, type PoolUser, type ProactiveHandler, type ProactiveMessage } from './connection-pool-options.js';
import type { PoolEventListener } from './connection-pool-parts.js';
import type { ConnectionPool, ConnectionPoolStatus, LocalPoolInternals, PoolHandle } from './connection-pool.js';
import { clusterSchema, defaultHostId, type ClusterOptions } from './pool-cluster-options.js';
import { chooseHandovers, createMembershipStability } from './pool-cluster-rebalance.js';
import {
  errorFromWire,
  errorToWire,
  parseClusterMessage,
  rendezvousRank,
  rendezvousWeight,
  type ForwardedRequest,
  type ForwardedResponse,
  type HandoverNotice,
} from './pool-cluster-wire.js';

export type { ClusterOptions } from './pool-cluster-options.js';

export interface ClusteredPoolStatus extends ConnectionPoolStatus {
  cluster: {
    hostId: string;
    members: string[];
    leases: LeaseStatusView[];
    forwarded: number;
    fencedDrops: number;
    /** Keys this host handed over to a preferred host (rebalancing), since it started. */
    handedOver: number;
    /** Previous owners' devices this host had the gateway remove on taking a key (device fencing). */
    devicesFenced: number;
    /** Removals the gateway refused or did not answer (logged); the key was served anyway. */
    deviceFenceFailures: number;
  };
}

/** A proactive message handled by the key's owner, with the fencing token it held when it handled it. */
export interface ClusterProactiveMessage extends ProactiveMessage {
  fencingToken: number;
}

export interface ClusteredConnectionPool extends ConnectionPool {
  status(): ClusteredPoolStatus;
  readonly hostId: string;
  /** Resolves when Redis answered and this host joined the cluster; rejects with the typed reason. */
  ready(): Promise<void>;
  /** The lease charts of this host (`lease:<name>/<key>`), one root actor each: `startInspector({ actors })`. */
  leases(): LeaseActor[];
}

export type LeaseActor = Actor<typeof leaseMachine>;

interface KeyRecord {
  key: string;
  url: string;
  token: string | undefined;
  users: Set<string>;
  listeners: Set<PoolEventListener>;
  lease: LeaseActor | undefined;
  /** Monotonic time (performance.now) until which this host may act for the key. */
  fenceUntil: number;
  fencingToken: number | undefined;
  /** The owner's handle on its local pool, while it owns the key. */
  owner: Promise<PoolHandle> | undefined;
  /** The local pool's key of the owner's connection (to see it closed before a handover releases the lease). */
  ownerLocalKey: string | undefined;
  /** Requests running on the owner's connection (local and forwarded): a handover waits for them. */
  inFlight: number;
  drained: (() => void) | undefined;
  /** A handover is under way (to this host): no new work is taken for the key; the lease is released once drained. */
  handingOver: string | undefined;
  /** The best claim on the key, read with the last renewal. */
  claim: LeaseClaim | undefined;
  /** Device fencing: the identity of this acquisition's connection, the next attempt's, the previous owner's id. */
  device: DeviceIdentity | undefined;
  nextDevice: DeviceIdentity | undefined;
  previousDeviceId: string | undefined;
}

interface PendingForward {
  settle(error: Error | null, value?: unknown): void;
}

const OWNER_PREFIX = 'cluster-owner:';

export function createClusteredPool(
  options: ConnectionPoolOptions & { cluster: ClusterOptions },
  createLocalPool: (options: ConnectionPoolOptions, internals: LocalPoolInternals) => ConnectionPool,
): ClusteredConnectionPool {
  const { cluster: clusterInput, onProactive, ...localOptions } = options;
  const clusterConfig = parseOptions(clusterSchema, clusterInput, 'connection pool options.cluster');
  const config = parseOptions(connectionPoolSchema, localOptions, 'connection pool options');
  const hostId = clusterConfig.hostId ?? defaultHostId();
  const ttlMs = clusterConfig.leaseTtlMs;
  const renewIntervalMs = Math.max(1, Math.floor(ttlMs * defaults.lease.renewFraction));
  const staggerMs = Math.max(1, Math.floor(ttlMs * defaults.lease.staggerFraction));
  const logger = (config.logger ?? silentLogger).child({ component: 'pool-cluster', pool: config.name, hostId });
  const fenceDevices = clusterConfig.fenceDevices;
  const local = createLocalPool(localOptions, {
    deviceFor: (userId) => (userId.startsWith(OWNER_PREFIX) ? records.get(userId.slice(OWNER_PREFIX.length))?.device : undefined),
  });
  const records = new Map<string, KeyRecord>();
  const users = new Map<string, string>();
  const handlers = new Set<ProactiveHandler>();
  if (onProactive) handlers.add(onProactive);
  const pending = new Map<string, PendingForward>();
  const seenRequests = new Set<string>();
  const canonical = (url: string) => canonicalGatewayUrl(url, 'user.url');
  let members: string[] = [hostId];
  let closed = false;
  let forwarded = 0;
  let fencedDrops = 0;
  let handedOver = 0;
  let devicesFenced = 0;
  let deviceFenceFailures = 0;
  const stability = createMembershipStability(defaults.cluster.rebalanceStableHeartbeats);
  let client: Redis | undefined;
  let subscriber: Redis | undefined;
  let store: LeaseStore | undefined;
  let endpoint: RedisEndpoint | undefined;
  let fingerprint: CredentialFingerprinter | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;

  const started = (async () => {
    const opened = await openRedis({ url: clusterConfig.redis, connectTimeoutMs: clusterConfig.connectTimeoutMs, name: `ocs-${config.name}-${hostId}` });
    client = opened.client;
    endpoint = opened.endpoint;
    if (closed) return void client.disconnect();
    store = createLeaseStore({ client, endpoint, prefix: clusterConfig.prefix, pool: config.name });
    // Every host fingerprints credentials under one secret, made once per pool in Redis, so one credential
    // gives one key on every host (and the key still says nothing about the credential).
    const secretKey = `${clusterConfig.prefix}:${config.name}:key-secret`;
    await client.set(secretKey, randomBytes(32).toString('hex'), 'NX');
    const secret = await client.get(secretKey);
    fingerprint = createCredentialFingerprinter(Buffer.from(secret ?? '', 'hex'));
    subscriber = await duplicateRedis(client, endpoint);
    subscriber.on('message', (_channel: string, text: string) => onMessage(text));
    await subscriber.subscribe(store.keys.inbox(hostId));
    members = await store.heartbeat(hostId, ttlMs);
    stability.observe(members);
    heartbeatTimer = setInterval(() => {
      store
        ?.heartbeat(hostId, ttlMs)
        .then((live) => {
          members = live.includes(hostId) ? live : [...live, hostId];
          stability.observe(live);
          rebalance();
        })
        .catch(() => {});
    }, renewIntervalMs);
    heartbeatTimer.unref();
    logger.info({ members: members.length }, 'joined the cluster');
  })();
  started.catch(() => {});

  local.onProactive((message) => {
    const owner = message.users.find((user) => user.startsWith(OWNER_PREFIX));
    const record = owner === undefined ? undefined : records.get(owner.slice(OWNER_PREFIX.length));
    if (record === undefined || !mayAct(record)) {
      fencedDrops++;
      return;
    }
    const delivered: ClusterProactiveMessage = { ...message, users: [...record.users], fencingToken: record.fencingToken ?? 0 };
    for (const handler of handlers) {
      try {
        handler(delivered);
      } catch (error) {
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'a proactive handler threw');
      }
    }
  });

  /** The fence: owned by the chart AND inside the deadline on this host's clock, checked at the moment of acting. */
  function mayAct(record: KeyRecord): boolean {
    return record.lease !== undefined && selectLeaseOwned(record.lease.getSnapshot()) && performance.now() < record.fenceUntil;
  }

  /** New work (a request) is taken only by an owner inside its fence that is not handing the key over. */
  function mayServe(record: KeyRecord): boolean {
    return record.handingOver === undefined && mayAct(record);
  }

  /** Runs `work` on the owner's connection, counted, so a handover drains it before the connection closes. */
  async function inFlight<T>(record: KeyRecord, work: () => Promise<T>): Promise<T> {
    record.inFlight++;
    try {
      return await work();
    } finally {
      record.inFlight--;
      if (record.inFlight === 0) record.drained?.();
    }
  }

  /** One membership read shared by the acquires of one burst. */
  let membersRead: Promise<void> | undefined;
  function refreshMembers(): Promise<void> {
    membersRead ??= store!
      .heartbeat(hostId, ttlMs)
      .then((live) => {
        members = live.includes(hostId) ? live : [...live, hostId];
      })
      .catch(() => {})
      .finally(() => setTimeout(() => (membersRead = undefined), defaults.cluster.ownerPollMs).unref());
    return membersRead;
  }

  /** `afterMs`: a host that just handed the key over waits a TTL before it competes again, so the claimer takes it. */
  function startLease(record: KeyRecord, afterMs = 0): void {
    if (record.lease !== undefined || store === undefined) return;
    const leaseStore = store;
    const rank = rendezvousRank(members, record.key, hostId);
    const weight = rendezvousWeight(hostId, record.key);
    const lease = createActor(
      leaseMachine.provide(
        createLeaseImplementations({
          acquire: async (input) => {
            const device = fenceDevices ? (record.nextDevice ??= createEphemeralDeviceIdentity()) : undefined;
            const outcome = await leaseStore.acquire({ ...input, weight, ...(device === undefined ? {} : { deviceId: device.deviceId }) });
            if (outcome.acquired) {
              record.device = device;
              record.nextDevice = undefined;
              record.previousDeviceId = outcome.previousDeviceId;
            }
            return outcome;
          },
          renew: async (input) => {
            const outcome = await leaseStore.renew(input);
            record.claim = outcome.renewed ? outcome.claim : undefined;
            return outcome;
          },
          // A handover passes the lease to the claimer (a reservation), so no third host slips in between.
          release: (input) =>
            record.handingOver === undefined ? leaseStore.release(input) : leaseStore.handOver({ ...input, to: record.handingOver, ttlMs }),
        }),
      ),
      {
        id: leaseSystemId(config.name, record.key),
        systemId: leaseSystemId(config.name, record.key),
        input: { pool: config.name, key: record.key, hostId, ttlMs, startDelayMs: afterMs + rank * staggerMs },
        ...(config.inspect === undefined ? {} : { inspect: config.inspect as never }),
      },
    );
    record.lease = lease;
    lease.on('lease.acquired', (e) => {
      record.fenceUntil = performance.now() + e.validForMs;
      record.fencingToken = e.token;
      becomeOwner(record);
    });
    lease.on('lease.renewed', (e) => {
      record.fenceUntil = performance.now() + e.validForMs;
    });
    lease.on('lease.lost', (e) => {
      record.fenceUntil = 0;
      logger.info({ key: record.key, token: e.token, reason: e.reason }, 'lease lost: standing down');
      standDown(record);
    });
    lease.on('lease.released', () => {
      record.fenceUntil = 0;
      standDown(record);
      if (record.handingOver !== undefined) finishHandover(record, lease, record.handingOver);
    });
    lease.start();
  }

  function becomeOwner(record: KeyRecord): void {
    const previous = fenceDevices ? record.previousDeviceId : undefined;
    const own = record.device?.deviceId;
    const owner = local
      .acquire({ id: OWNER_PREFIX + record.key, url: record.url, ...(record.token === undefined ? {} : { token: record.token }) })
      .then(async (handle) => {
        record.ownerLocalKey = handle.key;
        // Before any owner action: the previous owner's sockets (a frozen host's included) are closed by the gateway.
        if (previous !== undefined && previous !== own) await fencePreviousDevice(record, handle, previous);
        return handle;
      });
    owner.catch(() => {});
    record.owner = owner;
    record.claim = undefined;
  }

  async function fencePreviousDevice(record: KeyRecord, handle: PoolHandle, deviceId: string): Promise<void> {
    try {
      await handle.request('device.pair.remove', { deviceId }, { timeoutMs: config.requestTimeoutMs });
      devicesFenced++;
    } catch (error) {
      // Already removed (a graceful owner's row, retired by the gateway): nothing of it is connected.
      if (error instanceof GatewayRequestError && error.message.includes('unknown deviceId')) return;
      deviceFenceFailures++;
      logger.warn({ key: record.key, code: (error as { code?: string }).code }, 'the gateway did not remove the previous owner device');
    }
  }

  function standDown(record: KeyRecord): void {
    if (record.owner === undefined) return;
    record.owner = undefined;
    void local.release(OWNER_PREFIX + record.key);
  }

  /** Once per heartbeat period: hand over the owned keys a stable, preferred host claims (within the budget). */
  function rebalance(): void {
    if (closed) return;
    const owned = [...records.values()].filter((record) => record.claim !== undefined && mayServe(record));
    const candidates = owned.map((record) => ({ key: record.key, claim: record.claim, ownWeight: rendezvousWeight(hostId, record.key) }));
    const moves = chooseHandovers(candidates, { hostId, live: members, stability, budget: defaults.cluster.rebalanceMovesPerHeartbeat });
    for (const move of moves) {
      const record = records.get(move.key);
      if (record !== undefined) void handOver(record, move.to);
    }
  }

  /**
   * A graceful move: no new work for the key (local requests wait for the next owner, forwarded ones are
   * answered NOT_OWNER and routed again), every request in flight settles on this connection, the connection
   * closes (so the gateway never sees this host's socket and the next owner's together), then the lease is
   * released. Proactive events keep reaching the handlers until the connection is closed: none is handled twice.
   */
  async function handOver(record: KeyRecord, to: string): Promise<void> {
    record.handingOver = to;
    logger.info({ key: record.key, to }, 'handing the key over to its preferred host');
    while (record.inFlight > 0) await new Promise<void>((resolve) => (record.drained = resolve));
    record.drained = undefined;
    const localKey = record.ownerLocalKey;
    standDown(record);
    const closedBy = performance.now() + clusterConfig.connectTimeoutMs;
    while (localKey !== undefined && local.status().entries.some((entry) => entry.key === localKey) && performance.now() < closedBy) await sleep(5);
    const lease = record.lease;
    if (lease === undefined || records.get(record.key) !== record || closed || !selectLeaseOwned(lease.getSnapshot())) {
      // Ownership ended meanwhile (the deadline, the last user left, the pool closed): nothing to hand over.
      record.handingOver = undefined;
      return;
    }
    lease.send({ type: 'lease.release' });
  }

  /** The lease is released: tell the claimer to take it now, and compete again only after a TTL (a fallback owner). */
  function finishHandover(record: KeyRecord, lease: LeaseActor, to: string): void {
    record.handingOver = undefined;
    handedOver++;
    if (record.lease === lease) record.lease = undefined;
    const notice: HandoverNotice = { t: 'handover', key: record.key, from: hostId };
    void client?.publish(store!.keys.inbox(to), JSON.stringify(notice)).catch(() => {});
    if (!closed && records.get(record.key) === record) startLease(record, ttlMs);
  }

  /**
   * The owner's handle once its connection is usable; undefined when ownership ended meanwhile (the local
   * acquire was cut short by the stand-down). While this host still owns the key, the acquire's own typed
   * error (GATEWAY_UNREACHABLE, HANDSHAKE_REFUSED) is the answer.
   */
  async function ownerHandle(record: KeyRecord): Promise<PoolHandle | undefined> {
    const owner = record.owner;
    if (owner === undefined) return undefined;
    try {
      return await owner;
    } catch (error) {
      if (mayAct(record) && record.owner === owner) throw error;
      return undefined;
    }
  }

  async function whenStarted(): Promise<void> {
    await started;
    if (closed) throw stoppedError('the connection pool is closed');
  }

  async function acquire(user: PoolUser): Promise<PoolHandle> {
    const { id, url, token } = parseOptions(poolUserSchema, user, 'pool user');
    await whenStarted();
    const key = poolKeyOf(canonical(url), fingerprint!(token));
    const known = users.get(id);
    if (known !== undefined && known !== key) await release(id);
    let record = records.get(key);
    if (record === undefined) {
      record = {
        key,
        url: canonical(url),
        token,
        users: new Set(),
        listeners: new Set(),
        lease: undefined,
        fenceUntil: 0,
        fencingToken: undefined,
        owner: undefined,
        ownerLocalKey: undefined,
        inFlight: 0,
        drained: undefined,
        handingOver: undefined,
        claim: undefined,
        device: undefined,
        nextDevice: undefined,
        previousDeviceId: undefined,
      };
      records.set(key, record);
    }
    record.users.add(id);
    users.set(id, key);
    // The stagger is this host's place among the hosts alive now: a host that joined a moment ago counts.
    if (record.lease === undefined) await refreshMembers();
    startLease(record);
    try {
      await untilOwned(record, performance.now() + config.acquireTimeoutMs);
    } catch (error) {
      await release(id);
      throw error;
    }
    return createHandle(id, record);
  }

  /** Resolves once some host owns the key (this one: with its connection usable). */
  async function untilOwned(record: KeyRecord, deadline: number): Promise<string> {
    for (;;) {
      if (closed) throw stoppedError('the connection pool is closed');
      if (mayServe(record) && record.owner !== undefined && (await ownerHandle(record)) !== undefined) return hostId;
      const holder = await store!.holder(record.key);
      if (holder !== undefined && holder.hostId !== hostId) return holder.hostId;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new SupervisorError('GATEWAY_UNREACHABLE', 'no host of the cluster owns this gateway yet', {
          retryable: true,
          details: { key: record.key, timeoutMs: config.acquireTimeoutMs },
        });
      }
      await sleep(Math.min(defaults.cluster.ownerPollMs, left));
    }
  }

  function createHandle(id: string, record: KeyRecord): PoolHandle {
    let released = false;
    return {
      user: id,
      key: record.key,
      async request(method, params, requestOptions) {
        if (released || closed) throw stoppedError('this pool handle was released');
        const timeoutMs = requestOptions?.timeoutMs ?? config.requestTimeoutMs;
        return routeRequest(record, method, params, performance.now() + timeoutMs, timeoutMs);
      },
      on(_type, listener) {
        record.listeners.add(listener);
        return () => record.listeners.delete(listener);
      },
      release: async () => {
        released = true;
        await release(id);
      },
    };
  }

  async function routeRequest(record: KeyRecord, method: string, params: unknown, deadline: number, timeoutMs: number): Promise<unknown> {
    for (;;) {
      const left = Math.floor(deadline - performance.now());
      if (left <= 0) throw timeoutError(method, timeoutMs);
      if (mayServe(record) && record.owner !== undefined) {
        const outcome = await inFlight(record, async () => {
          const handle = await ownerHandle(record);
          // The lease ended while the owner's connection was opening: nothing was sent; route again.
          if (handle === undefined) return { retry: true as const };
          return { retry: false as const, value: await handle.request(method, params, { timeoutMs: left }) };
        });
        if (!outcome.retry) return outcome.value;
        await sleep(defaults.cluster.ownerPollMs);
        continue;
      }
      const owner = await untilOwned(record, deadline).catch((error: unknown) => {
        if (error instanceof SupervisorError && error.code === 'GATEWAY_UNREACHABLE') throw timeoutError(method, timeoutMs);
        throw error;
      });
      if (owner === hostId) continue;
      const outcome = await forward(owner, record, method, params, Math.floor(deadline - performance.now()), timeoutMs);
      if (outcome.retry) {
        await sleep(defaults.cluster.ownerPollMs);
        continue;
      }
      return outcome.value;
    }
  }

  /** One forwarded attempt: settles once, by the owner's answer or by the caller's deadline. */
  async function forward(owner: string, record: KeyRecord, method: string, params: unknown, left: number, timeoutMs: number): Promise<{ retry: boolean; value?: unknown }> {
    if (left <= 0) throw timeoutError(method, timeoutMs);
    const id = randomUUID();
    const message: ForwardedRequest = { t: 'req', id, from: hostId, key: record.key, method, params, timeoutMs: left };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(timeoutError(method, timeoutMs)), left);
      let settled = false;
      function settle(error: Error | null, value?: unknown): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pending.delete(id);
        if (error === null) resolve({ retry: false, value });
        else if (error instanceof SupervisorError && error.code === 'NOT_OWNER') resolve({ retry: true });
        else reject(error);
      }
      pending.set(id, { settle });
      forwarded++;
      client!
        .publish(store!.keys.inbox(owner), JSON.stringify(message))
        .then((receivers) => {
          // Nobody subscribed: the owner is gone; look it up again.
          if (receivers === 0) settle(new SupervisorError('NOT_OWNER', 'no such host'));
        })
        .catch((error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
    });
  }

  function onMessage(text: string): void {
    const message = parseClusterMessage(text);
    if (message === undefined) return;
    if (message.t === 'handover') {
      // The holder released the key for this host: attempt now rather than after the holder's TTL.
      records.get(message.key)?.lease?.send({ type: 'lease.attempt' });
      return;
    }
    if (message.t === 'res') {
      const waiting = pending.get(message.id);
      if (waiting === undefined) return;
      if (message.ok) waiting.settle(null, message.payload);
      else waiting.settle(errorFromWire(message.error ?? { name: 'SupervisorError', code: 'CONNECTION_CLOSED', message: 'no answer', retryable: true, details: {} }));
      return;
    }
    // A request delivered twice runs once.
    if (seenRequests.has(message.id)) return;
    seenRequests.add(message.id);
    if (seenRequests.size > defaults.cluster.seenRequestWindow) seenRequests.delete(seenRequests.values().next().value!);
    void serve(message);
  }

  async function serve(request: ForwardedRequest): Promise<void> {
    const record = records.get(request.key);
    const reply = (response: Omit<ForwardedResponse, 't' | 'id'>): void => {
      if (closed || client === undefined) return;
      void client.publish(store!.keys.inbox(request.from), JSON.stringify({ t: 'res', id: request.id, ...response })).catch(() => {});
    };
    // The fence, checked when the request is taken up (it may have waited in a buffer while this host was paused).
    // A key being handed over takes no new work: the sender routes it again to the next owner.
    if (record === undefined || !mayServe(record) || record.owner === undefined) {
      fencedDrops++;
      return reply({ ok: false, error: errorToWire(new SupervisorError('NOT_OWNER', 'this host does not own the key', { retryable: true })) });
    }
    await inFlight(record, async () => {
      try {
        const handle = await ownerHandle(record);
        if (handle === undefined || !mayAct(record)) {
          fencedDrops++;
          return reply({ ok: false, error: errorToWire(new SupervisorError('NOT_OWNER', 'this host does not own the key', { retryable: true })) });
        }
        const payload = await handle.request(request.method, request.params, { timeoutMs: request.timeoutMs });
        reply({ ok: true, payload, ...(record.fencingToken === undefined ? {} : { token: record.fencingToken }) });
      } catch (error) {
        reply({ ok: false, error: errorToWire(error) });
      }
    });
  }

  async function release(user: PoolUser | string): Promise<void> {
    const id = typeof user === 'string' ? user : user.id;
    const key = users.get(id);
    if (key === undefined) return;
    users.delete(id);
    const record = records.get(key);
    if (record === undefined) return;
    record.users.delete(id);
    if (record.users.size > 0) return;
    // The last user of the key on this host: give the lease back so another interested host takes it.
    records.delete(key);
    record.lease?.send({ type: 'lease.release' });
    standDown(record);
  }

  function status(): ClusteredPoolStatus {
    const leases: LeaseStatusView[] = [];
    for (const record of records.values()) if (record.lease !== undefined) leases.push(selectLeaseStatus(record.lease.getSnapshot()));
    return { ...local.status(), users: users.size, cluster: { hostId, members: [...members], leases, forwarded, fencedDrops, handedOver, devicesFenced, deviceFenceFailures } };
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (heartbeatTimer !== undefined) clearInterval(heartbeatTimer);
    for (const waiting of [...pending.values()]) waiting.settle(stoppedError('the connection pool was closed'));
    const releasing: Array<Promise<unknown>> = [];
    for (const record of records.values()) {
      const lease = record.lease;
      if (lease === undefined) continue;
      releasing.push(new Promise<void>((resolve) => lease.subscribe({ complete: () => resolve(), error: () => resolve() })));
      lease.send({ type: 'lease.release' });
    }
    await Promise.race([Promise.all(releasing), sleep(clusterConfig.connectTimeoutMs)]);
    for (const record of records.values()) record.lease?.stop();
    records.clear();
    users.clear();
    await local.close();
    await started.catch(() => {});
    await store?.heartbeat(hostId, 0).catch(() => {});
    subscriber?.disconnect();
    client?.disconnect();
    handlers.clear();
  }

  return {
    hostId,
    ready: () => whenStarted(),
    leases: () => [...records.values()].flatMap((record) => (record.lease === undefined ? [] : [record.lease])),
    acquire,
    release,
    status,
    usersFor(url) {
      const target = canonical(url);
      return [...records.values()].filter((record) => record.url === target).flatMap((record) => [...record.users]);
    },
    isConnected(user) {
      const key = users.get(typeof user === 'string' ? user : user.id);
      const record = key === undefined ? undefined : records.get(key);
      return record !== undefined && (mayAct(record) || record.lease !== undefined);
    },
    onProactive(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close,
    actor: local.actor,
  };

  function stoppedError(message: string): SupervisorError {
    return new SupervisorError('STOPPED', message);
  }
}

function timeoutError(method: string, timeoutMs: number): SupervisorError {
  return new SupervisorError('REQUEST_TIMEOUT', `${method}: no response within ${timeoutMs} ms`, { retryable: true, details: { method, timeoutMs } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
