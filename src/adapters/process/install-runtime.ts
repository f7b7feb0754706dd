// Installs the gateway runtime into a directory: the pinned openclaw and a Node 24 package, both from the
// npm registry, exactly as the lockfile shipped in this package says. Two npm steps, because openclaw's
// install scripts refuse the Node 20 a host may run on:
//   1. `npm ci --ignore-scripts --prefer-offline`: fetch (npm's own cache first) and link, no scripts;
//   2. `npm rebuild` with the Node 24 just fetched first on PATH, so the install scripts run on it.
// A stamp of the lockfile, written last, makes a re-run with the same pins instant and means a half-done
// install is never taken for a finished one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import { readRuntimeManifest, type RuntimeManifest } from './runtime-dir.js';
import { resolveNodeRuntime, resolveOpenclawEntry } from './resolve-runtime.js';

export interface InstallRuntimeOptions {
  /** The directory to install into (it gets package.json, package-lock.json and node_modules). */
  dir: string;
  /** Default: the manifest shipped with this package. */
  manifest?: RuntimeManifest;
  /** Reinstall even when the stamp says the pins are there. */
  force?: boolean;
  /** Each step as it starts, and a heartbeat while npm fetches. */
  onProgress?: (progress: InstallProgress) => void;
  /** Where npm's own output goes: our stderr (default) or nowhere. */
  npmOutput?: 'stderr' | 'ignore';
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Aborting ends npm (and so its scripts) and rejects; no stamp is written. */
  signal?: AbortSignal;
}

export interface InstallProgress {
  kind: 'fetching' | 'fetched' | 'scripts';
  text: string;
  elapsedMs: number;
}

export interface InstalledRuntime {
  dir: string;
  nodePath: string;
  nodeVersion: string;
  openclawEntry: string;
  openclawVersion: string;
  /** False when the pinned versions were already there and nothing ran. */
  installed: boolean;
  elapsedMs: number;
}

const HEARTBEAT_MS = 10_000;
const STAMP = join('node_modules', '.install-stamp');

/** Installs the runtime into `options.dir` unless the same pins are already there; see the file comment. */
export async function installRuntime(options: InstallRuntimeOptions): Promise<InstalledRuntime> {
  const t0 = Date.now();
  const dir = resolve(options.dir);
  const manifest = options.manifest ?? readRuntimeManifest();
  if (!manifest) {
    throw new SupervisorError(ErrorCodes.RUNTIME_INSTALL_FAILED, 'install-runtime: this copy of openclaw-supervisor has no runtime/package.json');
  }
  const env = options.env ?? process.env;
  const lock = readFileSync(join(manifest.dir, 'package-lock.json'));
  const wanted = createHash('sha256').update(lock).digest('hex');

  if (!options.force && readStamp(dir) === wanted) {
    const present = await describeInstalled(dir, env).catch(() => undefined);
    if (present) return { ...present, installed: false, elapsedMs: Date.now() - t0 };
  }

  const progress = (kind: InstallProgress['kind'], text: string) => options.onProgress?.({ kind, text, elapsedMs: Date.now() - t0 });
  mkdirSync(dir, { recursive: true });
  if (resolve(manifest.dir) !== dir) {
    copyFileSync(join(manifest.dir, 'package.json'), join(dir, 'package.json'));
    writeFileSync(join(dir, 'package-lock.json'), lock);
  }
  const npm = { env, output: options.npmOutput ?? 'stderr', cwd: dir, ...(options.signal ? { signal: options.signal } : {}) } as const;

  progress('fetching', `fetching openclaw ${manifest.openclawVersion} and Node ${manifest.nodeVersion} from the npm registry (npm's cache first)`);
  // npm shows no progress when its output is not a terminal (CI logs, --json): say that it is still working.
  const heartbeat = setInterval(() => progress('fetching', 'still fetching'), HEARTBEAT_MS);
  try {
    // --loglevel=error: the EBADENGINE warnings of openclaw's dependencies (they want Node 22+, and npm runs
    // on the host's Node) are expected here; the Node 24 that will run them arrives in this same install.
    await runNpm(['ci', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], npm);
  } finally {
    clearInterval(heartbeat);
  }
  progress('fetched', `fetched ${countPackages(dir)} packages`);

  const node = await resolveNodeRuntime({ resolveFrom: [dir], runtimeDirs: [], env });
  progress('scripts', `running install scripts on Node ${node.version}`);
  await runNpm(['rebuild', '--loglevel=error'], { ...npm, env: { ...env, PATH: `${dirname(node.path)}${delimiter}${env.PATH ?? ''}` } });

  const installed = await describeInstalled(dir, env);
  writeFileSync(join(dir, STAMP), `${wanted}\n`);
  return { ...installed, installed: true, elapsedMs: Date.now() - t0 };
}

async function describeInstalled(dir: string, env: NodeJS.ProcessEnv): Promise<Omit<InstalledRuntime, 'installed' | 'elapsedMs'>> {
  const node = await resolveNodeRuntime({ resolveFrom: [dir], runtimeDirs: [], env });
  const entry = resolveOpenclawEntry({ resolveFrom: [dir], runtimeDirs: [] });
  return { dir, nodePath: node.path, nodeVersion: node.version, openclawEntry: entry.entry, openclawVersion: entry.version };
}

function readStamp(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Top-level packages in node_modules (a scope counts its members): a cheap measure of npm's progress. */
function countPackages(dir: string): number {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return 0;
  let count = 0;
  for (const name of readdirSync(modules)) {
    if (name.startsWith('.')) continue;
    count += name.startsWith('@') ? readdirSync(join(modules, name)).length : 1;
  }
  return count;
}

function runNpm(args: string[], options: { env: NodeJS.ProcessEnv; output: 'stderr' | 'ignore'; cwd: string; signal?: AbortSignal }): Promise<void> {
  const [command, prefix] = npmCommand(options.env);
  return new Promise((resolveRun, reject) => {
    if (options.signal?.aborted) {
      reject(aborted(args[0]));
      return;
    }
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd,
      env: npmEnv(options.env),
      // npm's stdout goes to our stderr: our stdout stays ours (and valid JSON lines with --json).
      stdio: options.output === 'stderr' ? ['ignore', 2, 2] : 'ignore',
      shell: process.platform === 'win32' && command.endsWith('.cmd'),
    });
    // npm's scripts run in npm's children; SIGTERM lets npm end them before it exits.
    const onAbort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) =>
      reject(new SupervisorError(ErrorCodes.RUNTIME_INSTALL_FAILED, `install-runtime: could not start npm (${error.message})`, { cause: error })),
    );
    child.on('exit', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) reject(aborted(args[0]));
      else if (code === 0) resolveRun();
      else
        reject(
          new SupervisorError(
            ErrorCodes.RUNTIME_INSTALL_FAILED,
            `install-runtime: npm ${args[0]} failed (${signal ?? `exit ${code}`}); see npm's output above`,
            {
              retryable: true,
              details: { dir: options.cwd, step: args[0], code, signal },
            },
          ),
        );
    });
  });
}

function aborted(step: string | undefined): SupervisorError {
  return new SupervisorError(ErrorCodes.RUNTIME_INSTALL_FAILED, `install-runtime: stopped during npm ${step}`, { details: { step, aborted: true } });
}

/** The npm that launched us when there is one (npx, npm exec, npm run), else `npm` from PATH. */
function npmCommand(env: NodeJS.ProcessEnv): [string, string[]] {
  const execPath = env.npm_execpath;
  if (execPath && /npm-cli\.js$/.test(execPath)) return [process.execPath, [execPath]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
}

// The npm_* variables of a parent npm describe the parent's project (npm_config_local_prefix would even
// send the install there); the runtime is a project of its own. Only where npm keeps its cache, which
// registry it uses and the user's config file are carried over, so the runtime comes from the same cache.
const KEPT_NPM_VARIABLES = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);

function npmEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_VARIABLES.has(key.toLowerCase())));
}
