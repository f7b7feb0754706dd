// Rebalancing of a clustered pool when hosts join: which owned keys this host hands over, and when.
// A key's preferred host is the live, interested host with the highest rendezvous weight for it. A host that
// wants a key it does not hold leaves a claim (its weight) in Redis with each failed attempt; the owner reads
// the claim with its renewal. The owner hands the key over when the claimer outweighs it, has been alive for
// `stableHeartbeats` consecutive heartbeat reads (a join must hold for a lease's life before anything moves,
// so a flapping host moves nothing), and this heartbeat period still has room (`movesPerHeartbeat`).
import type { LeaseClaim } from '../adapters/redis/index.js';

/** Counts, per host, the consecutive heartbeat reads in which it was alive; a missed read starts it over. */
export interface MembershipStability {
  observe(live: readonly string[]): void;
  isStable(hostId: string): boolean;
}

export function createMembershipStability(stableHeartbeats: number): MembershipStability {
  const seen = new Map<string, number>();
  return {
    observe(live) {
      const alive = new Set(live);
      for (const host of [...seen.keys()]) if (!alive.has(host)) seen.delete(host);
      for (const host of alive) seen.set(host, (seen.get(host) ?? 0) + 1);
    },
    isStable: (hostId) => (seen.get(hostId) ?? 0) >= stableHeartbeats,
  };
}

export interface HandoverCandidate {
  key: string;
  /** The best claim on the key read with the last renewal. */
  claim: LeaseClaim | undefined;
  /** This host's weight for the key. */
  ownWeight: number;
}

/** The keys to hand over in this heartbeat period, at most `budget`, each to its claimer. */
export function chooseHandovers(
  candidates: Iterable<HandoverCandidate>,
  options: { hostId: string; live: readonly string[]; stability: MembershipStability; budget: number },
): Array<{ key: string; to: string }> {
  const live = new Set(options.live);
  const moves: Array<{ key: string; to: string }> = [];
  for (const candidate of candidates) {
    if (moves.length >= options.budget) break;
    const claim = candidate.claim;
    if (claim === undefined || claim.hostId === options.hostId) continue;
    if (!live.has(claim.hostId) || !options.stability.isStable(claim.hostId)) continue;
    if (claim.weight <= candidate.ownWeight) continue;
    moves.push({ key: candidate.key, to: claim.hostId });
  }
  return moves;
}
