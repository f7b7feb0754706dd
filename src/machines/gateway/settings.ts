// Fills the gateway machine's input with the defaults of src/machines/defaults.ts, once, into
// `context.settings`.
import { defaults } from '../defaults.js';
import { defaultCrashPolicy } from '../policy/crash-backoff.js';
import type { GatewayMachineInput, GatewaySettings } from './types.js';

export function resolveGatewaySettings(input: GatewayMachineInput): GatewaySettings {
  return {
    key: input.key ?? defaults.name,
    endpoint: { host: input.host ?? defaults.host, port: input.port ?? defaults.port },
    connection: input.connection,
    crash: {
      maxAttempts: input.crash?.maxAttempts ?? defaultCrashPolicy.maxAttempts,
      stableUptimeMs: input.crash?.stableUptimeMs ?? defaultCrashPolicy.stableUptimeMs,
      backoff: { ...defaultCrashPolicy.backoff, ...input.crash?.backoff },
    },
    stalls: {
      maxStalls: input.stalls?.maxStalls ?? defaults.liveness.maxStalls,
      windowMs: input.stalls?.windowMs ?? defaults.liveness.stallWindowMs,
    },
    reloadTimeoutMs: input.reloadTimeoutMs ?? defaults.reloadTimeoutMs,
    stopTimeoutMs: input.stopTimeoutMs ?? defaults.stopGraceMs + defaults.stopMarginMs,
    refresh: input.refresh ?? {},
    random: input.random ?? Math.random,
  };
}
