// Bench 2, the oracle side: what a supervisor could do at best. It spawns the gateway exactly as the
// supervisor does (the tests' launcher over src/adapters/process/spawn-gateway.ts) and retries a raw
// connect + handshake every 10 ms until hello-ok. Then, as the baseline for crash recovery, it SIGKILLs
// that gateway, waits for it and its descendants to be gone (as the supervisor's process actor does),
// respawns on the same state dir and port, and again retries every 10 ms until hello-ok.
import { spawnGateway, type GatewayChild } from '../src/adapters/process/spawn-gateway.js';
import { freePort } from '../tests/support/free-port.js';
import type { LifecycleOptions } from './lifecycle.js';
import { registerCleanup } from './support/cleanup.js';
import { withDeadline } from './support/deadline.js';
import { gatewayNodePath, launchGateway, openclawEntry } from './support/gateways.js';
import { waitForHelloOk } from './support/raw-client.js';
import { round } from './support/stats.js';

export interface OracleRun {
  iteration: number;
  /** Launcher call (state dir, spawn) to hello-ok. */
  coldStartMs?: number;
  attempts?: number;
  /** SIGKILL to hello-ok of a respawn on the same state dir and port. */
  respawnMs?: number;
  /** SIGKILL to the old gateway and its descendants all gone. */
  respawnExitMs?: number;
  respawnAttempts?: number;
  /** SIGTERM to exit of the respawned gateway (for comparison with the supervisor's stop()). */
  stopMs?: number;
  error?: string;
}

/** One oracle gateway: cold start, SIGKILL and respawn, stop; never throws (failures land in `error`). */
export async function oracleRun(iteration: number, options: LifecycleOptions): Promise<OracleRun> {
  const run: OracleRun = { iteration };
  const port = await freePort();
  const startAt = performance.now();
  const gateway = await launchGateway({ port, waitFor: 'spawned' });
  let respawned: GatewayChild | undefined;
  let unregister: (() => void) | undefined;
  try {
    const cold = await waitForHelloOk(gateway.url, gateway.token, {
      retryIntervalMs: options.oracleRetryIntervalMs,
      deadlineMs: options.readyDeadlineMs,
    });
    run.coldStartMs = round(performance.now() - startAt, 1);
    run.attempts = cold.attempts;

    const killedAt = performance.now();
    gateway.kill('SIGKILL');
    await withDeadline(gateway.exited, 30_000, 'exit after SIGKILL');
    run.respawnExitMs = round(performance.now() - killedAt, 1);
    await cold.client.close();
    const child = await spawnGateway({
      nodePath: gatewayNodePath,
      entry: openclawEntry,
      port,
      token: gateway.token,
      stateDir: gateway.stateDir,
      skipChannels: true,
    });
    respawned = child;
    unregister = registerCleanup(() => child.terminate(1_000));
    const warm = await waitForHelloOk(gateway.url, gateway.token, {
      retryIntervalMs: options.oracleRetryIntervalMs,
      deadlineMs: options.readyDeadlineMs,
    });
    run.respawnMs = round(performance.now() - killedAt, 1);
    run.respawnAttempts = warm.attempts;
    await warm.client.close();

    const stopAt = performance.now();
    await child.terminate(5_000);
    run.stopMs = round(performance.now() - stopAt, 1);
  } catch (error) {
    const tail = (respawned ?? gateway).stderrTail().slice(-5).join(' | ');
    run.error = `${(error as Error).message}; stderr: ${tail}`;
    await respawned?.terminate(1_000);
  } finally {
    unregister?.();
    // Removes the state dir; the first gateway is already gone.
    await gateway.stop();
  }
  return run;
}
