// `openclaw-supervisor install-runtime [--dir DIR] [--force]`: installs the pinned openclaw and a Node 24
// package from the npm registry where `run` (and createGatewaySupervisor) look by default, so a host whose
// own Node is 20 can run a gateway. Prints each step with elapsed time; instant when the pins are there.
import { resolve } from 'node:path';
import { installRuntime } from '../adapters/process/install-runtime.js';
import { defaultRuntimeDir, RUNTIME_DIR_ENV } from '../adapters/process/runtime-dir.js';
import { ConfigError } from '../errors.js';
import type { CliArgs } from './args.js';
import { formatElapsed } from './progress.js';

export async function runInstallRuntimeCommand(args: CliArgs): Promise<number> {
  const print = (kind: string, elapsedMs: number, text: string, extra: Record<string, unknown> = {}) => {
    if (args.json) process.stdout.write(`${JSON.stringify({ type: kind, elapsedMs, text, ...extra })}\n`);
    else process.stdout.write(`${formatElapsed(elapsedMs).padStart(8)}  ${text}\n`);
  };
  const fallback = defaultRuntimeDir();
  const dir = args.dir === undefined ? fallback : resolve(args.dir);
  if (dir === undefined) {
    throw new ConfigError(
      [{ field: '--dir', expected: `a directory (no per-user cache dir is known here; or set ${RUNTIME_DIR_ENV})` }],
      'arguments',
    );
  }

  print('installing', 0, `gateway runtime in ${dir}`, { dir });
  // Ctrl-C or SIGTERM ends npm too: no install keeps running behind a command that has returned.
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let runtime;
  try {
    runtime = await installRuntime({
      dir,
      force: args.force,
      signal: abort.signal,
      onProgress: (step) => print(step.kind, step.elapsedMs, step.text),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const what = `openclaw ${runtime.openclawVersion} on Node ${runtime.nodeVersion}`;
  const summary = { dir: runtime.dir, openclawVersion: runtime.openclawVersion, nodeVersion: runtime.nodeVersion, installed: runtime.installed };
  if (runtime.installed) print('ready', runtime.elapsedMs, `ready: ${what} (${(runtime.elapsedMs / 1000).toFixed(1)} s)`, summary);
  else print('ready', runtime.elapsedMs, `already installed: ${what}`, summary);
  // `run` looks in the default directory by itself; anywhere else it has to be told.
  if (dir !== fallback) print('hint', runtime.elapsedMs, `run with --resolve-from ${dir} (or set ${RUNTIME_DIR_ENV}=${dir})`);
  return 0;
}
