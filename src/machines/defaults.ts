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

  /** The instance key of a supervisor that was given no `name`. */
  name: 'default',
} as const satisfies {
  reconnect: BackoffPolicy;
  requests: { busyRetry: BackoffPolicy } & Record<string, unknown>;
} & Record<string, unknown>;
