// Shapes of the lease chart: one host's claim on one gateway key of a clustered pool. The effects (Redis
// scripts) are invoked actors; their answers carry only numbers the chart needs, never a secret.

export interface LeaseInput {
  /** The pool's instance key: the lease's systemId is `lease:<pool>/<key>`. */
  pool: string;
  /** The gateway key (canonical URL + credential fingerprint). */
  key: string;
  /** This host's id in the cluster. */
  hostId: string;
  /** How long Redis keeps the lease after each acquire or renew. */
  ttlMs: number;
  /** Period between renewals while owned. Default: a third of the TTL. */
  renewIntervalMs?: number;
  /** The owner stands down this long before the TTL runs out on its own clock. Default: a third of the TTL. */
  safetyMarginMs?: number;
  /** Wait after a failed attempt (Redis unreachable) before the next. */
  retryMs?: number;
  /** Wait before the first attempt: this host's place in the key's preference order times a stagger. */
  startDelayMs?: number;
}

export interface LeaseContext {
  pool: string;
  key: string;
  hostId: string;
  ttlMs: number;
  renewIntervalMs: number;
  safetyMarginMs: number;
  retryMs: number;
  startDelayMs: number;
  /** The fencing token of the current (or last) acquisition; travels with every action the owner takes. */
  token: number | undefined;
  /**
   * How long the lease stays valid on this host's clock from the moment the chart learned of the last
   * acquire or renew: TTL minus the safety margin minus the time the command took (measured by the
   * adapter on a monotonic clock from the moment it sent the command).
   */
  validForMs: number;
  /** How long to wait before the next acquire attempt (the holder's remaining TTL, or the retry period). */
  waitMs: number;
  /** Why the last ownership ended. */
  lostReason: LeaseLostReason | undefined;
  /** The last Redis failure, as a code and message without any secret. */
  lastError: { code: string; message: string } | undefined;
}

export type LeaseLostReason = 'deadline' | 'taken';

/** What the acquire actor answers: the lease with its fencing token, or who holds it for how long. */
export type AcquireOutcome = { acquired: true; token: number; elapsedMs: number } | { acquired: false; holderTtlMs: number };

/** What the renew actor answers: renewed (with the time it took), or the lease is no longer ours. */
export type RenewOutcome = { renewed: true; elapsedMs: number } | { renewed: false };

export interface AcquireInput {
  key: string;
  hostId: string;
  ttlMs: number;
}

export interface RenewInput extends AcquireInput {
  token: number;
}

export type LeaseEvent =
  /** The runtime no longer wants the key (its last user left, the pool closes, a handover). */
  | { type: 'lease.release' }
  /** The holder released the key for this host (a rebalancing handover): attempt now. */
  | { type: 'lease.attempt' };

export type LeaseEmitted =
  | { type: 'lease.acquired'; key: string; token: number; validForMs: number }
  | { type: 'lease.renewed'; key: string; token: number; validForMs: number }
  | { type: 'lease.lost'; key: string; token: number; reason: LeaseLostReason }
  | { type: 'lease.released'; key: string; token: number | undefined };

export type LeaseStateName = 'acquiring' | 'waiting' | 'owned' | 'renewing' | 'lost' | 'releasing' | 'released';

export interface LeaseStatusView {
  key: string;
  hostId: string;
  state: LeaseStateName;
  token?: number;
  lostReason?: LeaseLostReason;
  lastError?: { code: string; message: string };
}
