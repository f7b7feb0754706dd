// The `GatewayFailure` values the gateway machine stores in `context.error` when it enters `error`.
// Messages name what happened and what to do; they are built from codes and names, never from
// credentials, so they are safe to log and show.
import type { ProcessSignal } from '../../contracts/index.js';
import type { WireError } from '../../protocol/index.js';
import { classifyExit } from '../policy/exit-codes.js';
import type { GatewayContext, GatewayExit, GatewayFailure } from './types.js';

type ExitedSignal = Extract<ProcessSignal, { type: 'process.exited' }>;

export function toExit(event: ExitedSignal): GatewayExit {
  return {
    pid: event.pid,
    code: event.code,
    signal: event.signal,
    stderrTail: event.stderrTail,
    uptimeMs: event.uptimeMs,
    exitClass: classifyExit(event),
  };
}

export function portInUse(holder: 'gateway' | 'foreign', detail?: string): GatewayFailure {
  return {
    code: 'PORT_IN_USE',
    reason: 'port-in-use',
    message:
      holder === 'gateway'
        ? 'another OpenClaw gateway already listens on the port (mode "auto" or "attach" would use it)'
        : 'the port is held by something that is not an OpenClaw gateway',
    details: { holder, ...(detail === undefined ? {} : { detail }) },
  };
}

export function probeFailed(error: unknown): GatewayFailure {
  return { code: 'PORT_PROBE_FAILED', reason: 'probe-failed', message: `port probe failed: ${errorText(error)}` };
}

export function spawnFailed(message: string): GatewayFailure {
  return { code: 'SPAWN_FAILED', reason: 'spawn-failed', message };
}

export function notListening(error: unknown): GatewayFailure {
  return {
    code: 'GATEWAY_NOT_LISTENING',
    reason: 'not-listening',
    message: `the gateway child did not start listening: ${errorText(error)}`,
  };
}

export function crashed(context: GatewayContext, exit: GatewayExit): GatewayFailure {
  const { maxAttempts, stableUptimeMs } = context.settings.crash;
  return {
    code: 'GATEWAY_CRASHED',
    reason: 'crashed',
    message: `the gateway exited ${maxAttempts} times in a row, each within ${stableUptimeMs} ms of its spawn`,
    ...exitFields(exit),
  };
}

/** A second exit 78, or a doctor that could not repair: retrying will not help until the config changes. */
export function configInvalid(message: string, exit: GatewayExit | undefined): GatewayFailure {
  return { code: 'GATEWAY_CONFIG_INVALID', reason: 'config-invalid', message, ...exitFields(exit) };
}

export function paused(reason: string, error: WireError | undefined): GatewayFailure {
  return {
    code: 'CONNECTION_PAUSED',
    reason,
    message: `the gateway refused the connection (${reason}); fix the credentials or pairing, then start again`,
    ...(error === undefined ? {} : { details: { gatewayCode: error.code, gatewayMessage: error.message } }),
  };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function exitFields(exit: GatewayExit | undefined): Pick<GatewayFailure, 'exitCode' | 'signal' | 'stderrTail'> {
  return { exitCode: exit?.code ?? null, signal: exit?.signal ?? null, stderrTail: exit?.stderrTail ?? [] };
}
