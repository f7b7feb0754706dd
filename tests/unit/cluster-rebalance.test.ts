// The rebalancing policy of a clustered pool: which owned keys go to a claimer, with the damping that keeps a
// flapping or just-joined host from moving anything and bounds the moves per heartbeat period.
import { describe, expect, it } from 'vitest';
import { chooseHandovers, createMembershipStability } from '../../src/runtime/pool-cluster-rebalance.js';

const claim = (hostId: string, weight: number) => ({ hostId, weight });

describe('cluster rebalancing policy', () => {
  it('a host is stable only after the configured number of consecutive heartbeat reads; one missed read starts it over', () => {
    const stability = createMembershipStability(3);
    stability.observe(['a', 'c']);
    stability.observe(['a', 'c']);
    expect(stability.isStable('c')).toBe(false);
    stability.observe(['a', 'c']);
    expect(stability.isStable('c')).toBe(true);
    stability.observe(['a']);
    stability.observe(['a', 'c']);
    expect(stability.isStable('c')).toBe(false);
    expect(stability.isStable('a')).toBe(true);
  });

  it('hands a key only to a live, stable claimer that outweighs this host, at most the budget per period', () => {
    const stability = createMembershipStability(1);
    stability.observe(['a', 'c', 'd']);
    const candidates = [
      { key: 'k1', claim: claim('c', 90), ownWeight: 10 },
      { key: 'k2', claim: claim('c', 5), ownWeight: 10 }, // a claimer that ranks below the owner
      { key: 'k3', claim: claim('gone', 90), ownWeight: 10 }, // a claimer no longer alive
      { key: 'k4', claim: undefined, ownWeight: 10 },
      { key: 'k5', claim: claim('a', 90), ownWeight: 10 }, // this host's own claim, left from before it owned
      { key: 'k6', claim: claim('d', 90), ownWeight: 10 },
      { key: 'k7', claim: claim('c', 90), ownWeight: 10 },
    ];
    const options = { hostId: 'a', live: ['a', 'c', 'd'], stability };
    expect(chooseHandovers(candidates, { ...options, budget: 10 })).toEqual([
      { key: 'k1', to: 'c' },
      { key: 'k6', to: 'd' },
      { key: 'k7', to: 'c' },
    ]);
    expect(chooseHandovers(candidates, { ...options, budget: 2 })).toHaveLength(2);
    const fresh = createMembershipStability(2);
    fresh.observe(['a', 'c', 'd']);
    expect(chooseHandovers(candidates, { ...options, stability: fresh, budget: 10 })).toEqual([]);
  });
});
