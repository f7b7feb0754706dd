// Every default of the product, in one place. The zod schemas of the public options (src/config.ts) take
// their `.default(...)` from here and the machines fill a partial input from here, so a number cannot drift
// between what a host gets by leaving an option out and what a machine does when it is given none.
// Beside the machines because machines may import only their own folder, xstate and src/protocol.
// Adapters keep no copies: the runtime passes them every value. Wire facts (default scopes, the client's
// id and mode) stay in src/protocol/handshake.ts.

import type { BackoffPolicy } from './policy/backoff.js';

export const defaults = {
  /** Where a managed gateway listens; the gateway's own default port. */
  host: '127.0.0.1',
  port: 18_789,

  /**
   * 1 s first: a dropped socket to a live gateway (a proxy blip, a 4000 watchdog close) is back almost at
   * once, and 1 s is still slow enough not to hammer a gateway that refuses. Doubling reaches the ceiling
   * after five attempts (~31 s of waiting in total). 30 s ceiling = the gateway's own `tickIntervalMs`: a
   * gateway that comes back is found within one tick, and a dead one costs two attempts a minute. 20 %
   * jitter spreads the clients of one restarted gateway (a pool, a fleet) over 200 ms even on the first
   * retry. Crash respawns use the same curve: the first retry is quick, a crash loop settles at one spawn
   * every ~30 s.
   */
  reconnect: { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 30_000, jitter: 0.2 },

  crash: {
    /** Consecutive crashes after which the supervisor gives up (the last one is not respawned). */
    maxAttempts: 5,
    /**
     * A child that ran this long before exiting had been healthy: its crash starts a new series and is
     * respawned at once. About twice the gateway's 10-17 s cold start, so a child that dies during or
     * just after startup never counts as stable.
     */
    stableUptimeMs: 30_000,
  },

  /**
   * The gateway's own pre-auth deadline and the reference client's connect-challenge timeout: one
   * deadline over open, `connect.challenge` and `hello-ok`.
   */
  challengeTimeoutMs: 15_000,

  /**
   * Liveness of a ready connection (openclaw-facts: the gateway answers a WebSocket ping at once). A ping
   * goes out after 5 s without any inbound frame, and a pong must come within 5 s, so a stalled link
   * (TCP open, no bytes) is closed 4000 and redialled at most ~10 s after its last frame, instead of the
   * 2 x 30 s the tick watchdog alone needs. 5 s keeps an idle link at one tiny frame each way per 5 s.
   */
  liveness: {
    pingIntervalMs: 5_000,
    pongTimeoutMs: 5_000,
    /**
     * Managed mode: this many stalls (4000 closes: pong or tick timeout) with no stable stretch between
     * them means the child is alive but wedged, so it is restarted. 3 like the missed-heartbeat count after
     * which ClawX gives up on a socket; a lone stall (a network blip) never restarts anything.
     */
    maxStalls: 3,
    /** A link that stays running this long forgets its earlier stalls: two minutes is many ping rounds. */
    stallWindowMs: 120_000,
  },

  /**
   * Requests wait in the queue while the socket's unsent bytes exceed this, instead of growing memory;
   * the gateway's own `policy.maxBufferedBytes` (50 MiB, openclaw-facts) replaces it at hello-ok.
   */
  maxBufferedBytes: 52_428_800,

  requests: {
    /** A request's deadline when the caller gives none. */
    timeoutMs: 30_000,
    /** Requests on the wire at once; the gateway refuses beyond ~300, 32 measured best (openclaw-facts). */
    maxInFlight: 32,
    /**
     * The gateway's busy answer (`UNAVAILABLE`, retryable) without `retryAfterMs`: retry after 50 ms,
     * doubling to 1 s, always inside the request's own deadline. No jitter: the window already spreads them.
     */
    busyRetry: { initialDelayMs: 50, multiplier: 2, maxDelayMs: 1_000, jitter: 0 },
  },

  /** SIGTERM grace before SIGKILL when stopping an owned gateway (it exits ~0.85 s after SIGTERM). */
  stopGraceMs: 5_000,
  /**
   * How much longer than the grace the gateway machine waits for the exit after `process.terminate`, so
   * the adapter's own SIGKILL and reaping finish first. Leaving the state then stops the process actor.
   */
  stopMarginMs: 5_000,

  /**
   * A reload must show a new `bootId` within this, or an owned child is restarted instead. The gateway is
   * back 4.9-5.9 s after SIGUSR2 (openclaw-facts): 20 s is a clear "it did not happen", with room for a
   * loaded 2-core machine.
   */
  reloadTimeoutMs: 20_000,

  /**
   * 2 s and 1.2 s coalesce the bursts of config writes a settings screen makes (several saves within a
   * second); 2.5 s of cooldown keeps a restart loop from hammering a gateway that takes 10-17 s to start.
   */
  refresh: { restartDebounceMs: 2_000, reloadDebounceMs: 1_200, restartCooldownMs: 2_500 },

  /**
   * Channel accounts (in-process plugins and the mirror of a gateway's own accounts). The restart curve,
   * the attempt cap, the stable-run reset, the stop wait, the start concurrency and the health monitor's
   * numbers are OpenClaw's own channel manager's (field notes), so an account behaves here as it would
   * inside the gateway.
   */
  channels: {
    /** 5 s, doubling to 5 min; jitter 0.1 adds up to a tenth (OpenClaw's computeBackoff), spreading accounts that crashed together over half a second. */
    restartPolicy: { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0.1 },
    /** Crash restarts in a row before the account gives up (a hand start begins a new series). */
    maxRestartAttempts: 10,
    /** Running this long without a crash resets the attempts: give-up is never permanent (openclaw#83053). */
    stableRunMs: 600_000,
    /** How long a stop waits for the task to honour its abort signal before the account is restart-pending. */
    stopWaitMs: 5_000,
    /** Accounts starting at once; bounds the burst when many accounts come up or crash together. */
    startConcurrency: 4,
    /**
     * Accounts starting per second, whatever their number: a start that takes no time frees its slot at
     * once, so concurrency alone lets a crowd that crashed together restart as fast as the CPU goes. 2,000
     * a second brings 10,000 accounts back over 5 s (at most 2% of them in any 100 ms) and never slows a
     * manager of a few hundred.
     */
    startsPerSecond: 2_000,
    /** The gateway emits no channel events: the mirror polls `channels.status` this often. */
    mirrorPollMs: 10_000,
    health: {
      /** First check this long after an account's actor starts. */
      graceMs: 60_000,
      /** Then one check every 5 min. */
      checkIntervalMs: 300_000,
      /** Connected and no event for 30 min: the socket is presumed dead. */
      staleEventMs: 1_800_000,
      /** Busy (a run in progress) for more than 25 min: stuck. */
      stuckMs: 1_500_000,
      /** Disconnected for longer than this after a start or a drop: restart. */
      connectGraceMs: 120_000,
      /** Restarts per account in any hour, across crash and monitor restarts (PR#116089). */
      maxRestartsPerHour: 10,
      /** Checks skipped after a monitor restart, so a slow reconnect is not restarted again at once. */
      cooldownChecks: 2,
    },
  },

  pool: {
    /**
     * How long `acquire` waits for a first `hello-ok` before it rejects. A refusal arrives in milliseconds;
     * an unreachable gateway gets three attempts inside 10 s on the reconnect curve (1 s, 2 s, 4 s), and a
     * request handler that waits longer than that for a connection has already lost its caller.
     */
    acquireTimeoutMs: 10_000,
    /**
     * A connection with no traffic for 30 min is closed. The gateway keeps a socket forever while it ticks,
     * so this bounds only our side: hosts whose users come back often keep their sockets warm.
     */
    idleTimeoutMs: 1_800_000,
    /**
     * How long after the last user left (and nothing is pending) the entry checks again before it closes:
     * 0 = the next turn of the event loop, so a release followed at once by an acquire keeps the socket.
     */
    releaseCheckMs: 0,
    /**
     * `runId:seq` identities remembered per pool for proactive de-duplication. A reconnect replays at most
     * the events of the runs still streaming; 10,000 covers hundreds of concurrent runs at ~40 bytes each.
     */
    dedupeWindow: 10_000,
    /** The pool's instance key when a host gives no `name`. */
    name: 'pool',
  },

  fleet: {
    /**
     * The WebSocket gets this long from start to reach `hello-ok` before HTTP polling begins. The
     * gateway's cold start is 10-17 s and its startup window refuses `connect` for 2.4-6 s (openclaw-facts).
     */
    wsReadyTimeoutMs: 30_000,
    /** HTTP polling period while the socket is not ready: a dashboard row is at most 5 s old. */
    pollIntervalMs: 5_000,
    /**
     * A lost socket gets this long to come back before polling resumes: the reconnect curve's first two
     * attempts (1 s, 2 s) and a gateway restart's announced `restartExpectedMs` fit inside it.
     */
    lossGraceMs: 10_000,
    /** One HTTP poll's deadline (`/readyz` answers in milliseconds; `sessions_list` in tens). */
    httpTimeoutMs: 5_000,
    /** Events persisted in one transaction at most: batching keeps 5,000+/s on SQLite with WAL. */
    maxBatch: 256,
    /** Journal rows kept for `Last-Event-ID` resume; older rows are trimmed in the same transaction. */
    journalLimit: 100_000,
    name: 'fleet',
  },

  /**
   * Leases of a clustered pool (one owner per gateway key across hosts). The shape is Kubernetes leader
   * election's (15 s lease, 10 s renew deadline, 2 s retry): the owner renews three times per TTL, so two
   * renewals can fail before it matters, and it stands down when a third of the TTL is left on its own
   * clock, which covers a command's round trip, clock-rate drift between hosts and a long GC pause.
   */
  lease: {
    /** How long Redis keeps a lease after each acquire or renew; also the heartbeat key's life. */
    ttlMs: 15_000,
    /** Renew every TTL / 3 (5 s at 15 s). */
    renewFraction: 1 / 3,
    /** The self-fencing deadline is TTL minus this fraction of it (10 s at 15 s, the renew deadline). */
    safetyMarginFraction: 1 / 3,
    /** After a failed Redis command, try again after TTL / 10 (1.5 s at 15 s, near Kubernetes' 2 s retry). */
    retryFraction: 1 / 10,
    /**
     * A host that is not the key's preferred owner waits this fraction of the TTL per place in the order
     * before its first attempt, so the preferred host wins when it wants the key and another takes over
     * quickly when it does not (1.5 s per place at 15 s: far more than a loaded host's reaction time).
     */
    staggerFraction: 1 / 10,
  },

  cluster: {
    /** Redis key prefix of a clustered pool: every key it writes starts with `<prefix>:<pool name>:`. */
    prefix: 'ocs',
    /**
     * How long a forwarded request waits for the owner to be known (a lease between owners) before it
     * rejects GATEWAY_UNREACHABLE; the request's own deadline still bounds it.
     */
    ownerWaitMs: 20_000,
    /** Ids of forwarded requests an owner remembers, so a request delivered twice runs once. */
    seenRequestWindow: 10_000,
    /** Connecting to Redis (one attempt): a loopback or same-zone Redis answers in milliseconds. */
    connectTimeoutMs: 2_000,
    /** How often a forwarded request looks up the owner again while a lease is between owners. */
    ownerPollMs: 50,
    /**
     * Rebalancing damping: an owner hands a key to a preferred host only once that host has been alive in
     * this many consecutive heartbeat reads (one per renew period: 3 is a full TTL), so a host that flaps
     * or has just joined moves nothing until its heartbeats have held for a lease's life.
     */
    rebalanceStableHeartbeats: 3,
    /**
     * Rebalancing damping: an owner starts at most this many handovers per heartbeat (renew) period. A move
     * costs a reconnect and a moment without proactive events for that key; a join moves keys in waves.
     */
    rebalanceMovesPerHeartbeat: 8,
  },

  /** The instance key of a supervisor that was given no `name`. */
  name: 'default',
} as const satisfies {
  reconnect: BackoffPolicy;
  requests: { busyRetry: BackoffPolicy } & Record<string, unknown>;
} & Record<string, unknown>;
