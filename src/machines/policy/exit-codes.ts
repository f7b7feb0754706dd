// How the supervisor reads a gateway child's exit. Decisions are made on the exit code and the signal
// only: stderr wording changes between gateway releases, numbers from sysexits.h do not.

/** Exit codes the gateway is known to use (openclaw-facts: "Signals and exits"). */
export const GatewayExitCodes = {
  /** Clean shutdown after SIGTERM/SIGINT. */
  OK: 0,
  /** Generic failure, e.g. the port stayed taken through ~22 s of bind retries. */
  FAILURE: 1,
  /** EX_CONFIG from sysexits.h: the config is invalid (or the state dir is held by another gateway). */
  CONFIG: 78,
} as const;

/**
 * - `clean`: exit code 0.
 * - `config-invalid`: EX_CONFIG; `openclaw doctor --fix` may repair it, retrying alone will not.
 * - `failure`: any other non-zero code.
 * - `signal`: killed by a signal (SIGKILL from the OOM killer, a SIGTERM before the gateway's handlers
 *   were installed in its first ~3 s, ...).
 */
export type ExitClass = 'clean' | 'config-invalid' | 'failure' | 'signal';

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** Classify an exit by code and signal. A code wins over a signal when both are somehow present. */
export function classifyExit(exit: ExitStatus): ExitClass {
  if (exit.code === GatewayExitCodes.OK) return 'clean';
  if (exit.code === GatewayExitCodes.CONFIG) return 'config-invalid';
  if (exit.code !== null) return 'failure';
  if (exit.signal !== null) return 'signal';
  // Node reports (null, null) only when it could not learn why; treat it as a failure, not as clean.
  return 'failure';
}

/** True when the exit says the config is invalid (exit 78), whatever else it says. */
export function isConfigExit(exit: ExitStatus): boolean {
  return classifyExit(exit) === 'config-invalid';
}

/** A short label for messages and logs: `code 78`, `signal SIGKILL`, `unknown`. */
export function describeExit(exit: ExitStatus): string {
  if (exit.code !== null) return `code ${exit.code}`;
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return 'unknown';
}
