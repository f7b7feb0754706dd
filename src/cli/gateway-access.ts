// What `run` tells the user about reaching the supervised gateway with other clients: the Control UI's
// address and where the token is kept. Never the token itself unless asked (`--show-token`): a terminal's
// scrollback and a CI log outlive the run.
import { readStateDirToken, gatewayPaths } from '../adapters/process/embedding-env.js';
import type { SupervisorStatus } from '../runtime/status.js';

export interface GatewayAccessLine {
  kind: 'access';
  text: string;
  extra: Record<string, unknown>;
}

/** The lines to print once the gateway runs; empty for an attached gateway (its token is the host's own). */
export async function describeGatewayAccess(
  status: SupervisorStatus,
  stateDir: string | undefined,
  showToken: boolean,
): Promise<GatewayAccessLine[]> {
  if (stateDir === undefined || status.mode === 'attach') return [];
  const controlUi = `http://127.0.0.1:${status.port}/`;
  const { configPath } = gatewayPaths(stateDir);
  const lines: GatewayAccessLine[] = [
    { kind: 'access', text: `control UI: ${controlUi}`, extra: { controlUi } },
    { kind: 'access', text: `token kept in ${configPath} (gateway.auth.token, owner-only)`, extra: { tokenFile: configPath } },
  ];
  if (showToken) {
    const token = await readStateDirToken(stateDir);
    if (token !== undefined) lines.push({ kind: 'access', text: `token: ${token}`, extra: { token } });
  }
  return lines;
}
