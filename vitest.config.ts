import { defineConfig } from 'vitest/config';

// Four tiers (docs/testing.md): pure unit and model-based tests, a scripted fake gateway for faults the
// real one cannot produce, and end-to-end tests against the real openclaw gateway.
export default defineConfig({
  test: {
    // Two cores in CI: the real gateway needs most of one while it starts.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      // A full graph walk replays hundreds of paths: seconds alone, much longer beside a starting gateway.
      { test: { name: 'model', include: ['tests/model/**/*.test.ts'], testTimeout: 60_000 } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // A real gateway takes 10-17 s to become ready on a noisy 2-core machine (openclaw-facts).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          // The real gateway behind a loopback fault proxy, and managed children killed at random moments.
          name: 'chaos',
          include: ['tests/chaos/**/*.test.ts'],
          // Guards only: on a quiet 2-core machine each file takes 1-2 min; several gateways starting at once
          // elsewhere on the machine can triple a start.
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
