// Fills the gateway machine's input with defaults, once, into `context.settings`.
import { defaultCrashPolicy } from '../policy/crash-backoff.js';
import type { GatewayMachineInput, GatewaySettings } from './types.js';

/**
 * 15 s for a reload: the gateway is back with a new bootId 4.9-5.9 s after SIGUSR2 (openclaw-facts), so
 * three times that is a clear "it did not happen". 10 s for a stop: see GatewayMachineInput.stopTimeoutMs.
 */
export const defaultGatewayTimeouts = { reloadTimeoutMs: 15_000, stopTimeoutMs: 10_000 } as const;

export function resolveGatewaySettings(input: GatewayMachineInput): GatewaySettings {
  return {
    connection: input.connection,
    crash: {
      maxAttempts: input.crash?.maxAttempts ?? defaultCrashPolicy.maxAttempts,
      stableUptimeMs: input.crash?.stableUptimeMs ?? defaultCrashPolicy.stableUptimeMs,
      backoff: { ...defaultCrashPolicy.backoff, ...input.crash?.backoff },
    },
    reloadTimeoutMs: input.reloadTimeoutMs ?? defaultGatewayTimeouts.reloadTimeoutMs,
    stopTimeoutMs: input.stopTimeoutMs ?? defaultGatewayTimeouts.stopTimeoutMs,
    refresh: input.refresh ?? {},
    random: input.random ?? Math.random,
  };
}
