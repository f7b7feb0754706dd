// Finding what to run: a Node runtime the gateway accepts, and the openclaw entry script. The supervisor
// itself runs on Node >= 20, but openclaw needs `>=24.16.0 <25 || >=26.1.0` (its package.json engines),
// so the child's runtime is looked for explicitly, in this order: the option, OPENCLAW_SUPERVISOR_NODE,
// the Node running us, an npm `node-<platform>-<arch>` package next to openclaw, the runtime directory
// that `openclaw-supervisor install-runtime` fills (runtime-dir.ts), `node` on PATH. openclaw itself is
// resolved from the resolveFrom directories, then from that runtime directory.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { ErrorCodes, SupervisorError } from '../../errors.js';
import { defaultRuntimeDir } from './runtime-dir.js';

export interface NodeRuntime {
  path: string;
  /** Without the leading `v`, e.g. `24.21.0`. */
  version: string;
  /** Where it was found. */
  source: 'option' | 'env' | 'current' | 'package' | 'runtime-dir' | 'path';
}

export interface ResolveNodeRuntimeOptions {
  /** An explicit executable: used if it qualifies, an error otherwise (no silent fallback). */
  nodePath?: string;
  /** Directories to resolve the `node-<platform>-<arch>` package from (default: the working directory). */
  resolveFrom?: string[];
  /** Runtime directories filled by install-runtime, looked in after resolveFrom (default: defaultRuntimeDir()). */
  runtimeDirs?: string[];
  /** For tests; default process.env (OPENCLAW_SUPERVISOR_NODE, PATH). */
  env?: NodeJS.ProcessEnv;
  /** For tests; default process.execPath. */
  execPath?: string;
  /** For tests; default process.platform and process.arch. */
  platform?: string;
  arch?: string;
}

export interface ResolveOpenclawOptions {
  /** An explicit openclaw.mjs: used if it exists, an error otherwise. */
  openclawEntry?: string;
  /** Directories to resolve the openclaw package from (default: the working directory). */
  resolveFrom?: string[];
  /** As for resolveNodeRuntime (default: defaultRuntimeDir()). */
  runtimeDirs?: string[];
  /** For the default runtime directory; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface OpenclawEntry {
  /** Absolute path of openclaw.mjs. */
  entry: string;
  packageDir: string;
  version: string;
}

/** The one thing to run when nothing was found, said by both not-found errors. */
const INSTALL_HINT = 'npx openclaw-supervisor install-runtime';

/** The engines range of openclaw 2026.9.x. */
export const GATEWAY_NODE_RANGE = '>=24.16.0 <25 || >=26.1.0';

const VERSION_PROBE_TIMEOUT_MS = 10_000;
const versionProbes = new Map<string, Promise<string | undefined>>();

/** Finds a Node runtime the gateway accepts, or throws SupervisorError RUNTIME_NOT_FOUND saying how to fix it. */
export async function resolveNodeRuntime(options: ResolveNodeRuntimeOptions = {}): Promise<NodeRuntime> {
  const env = options.env ?? process.env;
  const checked: Array<{ path: string; source: NodeRuntime['source']; found: string }> = [];

  const explicit: Array<[NodeRuntime['source'], string | undefined]> = [
    ['option', options.nodePath],
    ['env', env.OPENCLAW_SUPERVISOR_NODE?.trim() || undefined],
  ];
  for (const [source, path] of explicit) {
    if (path === undefined) continue;
    const runtime = await qualify(path, source, checked);
    if (runtime) return runtime;
    // Someone chose this runtime on purpose: falling back to another one would hide their mistake.
    throw runtimeNotFound(checked, options);
  }

  const candidates: Array<[NodeRuntime['source'], string]> = [['current', options.execPath ?? process.execPath]];
  for (const path of nodePackageBinaries(options, options.resolveFrom ?? [process.cwd()])) candidates.push(['package', path]);
  for (const path of nodePackageBinaries(options, runtimeDirsOf(options))) candidates.push(['runtime-dir', path]);
  for (const path of pathBinaries(env, options.platform ?? process.platform)) candidates.push(['path', path]);
  for (const [source, path] of candidates) {
    const runtime = await qualify(path, source, checked);
    if (runtime) return runtime;
  }
  throw runtimeNotFound(checked, options);
}

/** The runtime directories looked in by default: the env override, else the per-user cache dir. */
function runtimeDirsOf(options: { runtimeDirs?: string[]; env?: NodeJS.ProcessEnv }): string[] {
  if (options.runtimeDirs) return options.runtimeDirs;
  const dir = defaultRuntimeDir(options.env ? { env: options.env } : {});
  return dir === undefined ? [] : [dir];
}

/** True when `version` (with or without `v`) is inside GATEWAY_NODE_RANGE. */
export function satisfiesGatewayEngines(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major === 24) return minor >= 16;
  if (major === 26) return minor >= 1;
  return major > 26;
}

/** Runs `<path> --version` once per path (cached); undefined when it is missing or does not run. */
export function probeNodeVersion(path: string): Promise<string | undefined> {
  let probe = versionProbes.get(path);
  if (!probe) {
    probe = new Promise((resolve) => {
      execFile(path, ['--version'], { timeout: VERSION_PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => {
        const match = error ? null : /^v?(\d+\.\d+\.\d+)/.exec(stdout.trim());
        resolve(match?.[1]);
      });
    });
    versionProbes.set(path, probe);
  }
  return probe;
}

/** Finds openclaw.mjs, from the option or through package resolution; throws OPENCLAW_NOT_FOUND otherwise. */
export function resolveOpenclawEntry(options: ResolveOpenclawOptions = {}): OpenclawEntry {
  if (options.openclawEntry !== undefined) {
    if (!existsSync(options.openclawEntry)) {
      throw new SupervisorError(ErrorCodes.OPENCLAW_NOT_FOUND, 'openclawEntry: no such file', {
        details: { field: 'openclawEntry', path: options.openclawEntry },
      });
    }
    const packageDir = dirname(options.openclawEntry);
    return { entry: options.openclawEntry, packageDir, version: readVersion(packageDir) ?? 'unknown' };
  }
  const resolveFrom = options.resolveFrom ?? [process.cwd()];
  const runtimeDirs = runtimeDirsOf(options);
  for (const dir of [...resolveFrom, ...runtimeDirs]) {
    const packageDir = findPackageDir('openclaw', dir);
    if (!packageDir) continue;
    const entry = join(packageDir, 'openclaw.mjs');
    if (existsSync(entry)) return { entry, packageDir, version: readVersion(packageDir) ?? 'unknown' };
  }
  throw new SupervisorError(ErrorCodes.OPENCLAW_NOT_FOUND, `openclaw not found: run \`${INSTALL_HINT}\`, or pass resolveFrom (--resolve-from)`, {
    details: { checked: [...resolveFrom, ...runtimeDirs], resolveFrom, runtimeDirs },
  });
}

/** The directory of package `name` as Node would resolve it from `fromDir`, even without an exported package.json. */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  const require = createRequire(join(fromDir, 'noop.js'));
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    // openclaw's `exports` does not list ./package.json: walk the same node_modules chain by hand.
  }
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

async function qualify(
  path: string,
  source: NodeRuntime['source'],
  checked: Array<{ path: string; source: NodeRuntime['source']; found: string }>,
): Promise<NodeRuntime | undefined> {
  if (!isExecutable(path)) {
    checked.push({ path, source, found: 'not an executable file' });
    return undefined;
  }
  const version = await probeNodeVersion(path);
  if (version === undefined) {
    checked.push({ path, source, found: 'did not answer --version' });
    return undefined;
  }
  if (!satisfiesGatewayEngines(version)) {
    checked.push({ path, source, found: `v${version}` });
    return undefined;
  }
  return { path, version, source };
}

function nodePackageBinaries(options: ResolveNodeRuntimeOptions, dirs: string[]): string[] {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const binary = platform === 'win32' ? 'node.exe' : join('bin', 'node');
  const out: string[] = [];
  for (const dir of dirs) {
    const packageDir = findPackageDir(`node-${platform}-${arch}`, dir);
    if (packageDir) out.push(join(packageDir, binary));
  }
  return out;
}

function pathBinaries(env: NodeJS.ProcessEnv, platform: string): string[] {
  const binary = platform === 'win32' ? 'node.exe' : 'node';
  return (env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, binary));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readVersion(packageDir: string): string | undefined {
  try {
    const version: unknown = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

function runtimeNotFound(
  checked: Array<{ path: string; source: NodeRuntime['source']; found: string }>,
  options: ResolveNodeRuntimeOptions,
): SupervisorError {
  const details = { range: GATEWAY_NODE_RANGE, checked, runtimeDirs: runtimeDirsOf(options) };
  const chosen = checked[0];
  if (chosen && (chosen.source === 'option' || chosen.source === 'env')) {
    const what = chosen.source === 'option' ? 'nodePath' : 'OPENCLAW_SUPERVISOR_NODE';
    return new SupervisorError(ErrorCodes.RUNTIME_NOT_FOUND, `${what}: not a Node ${GATEWAY_NODE_RANGE} (${chosen.found})`, {
      details: { ...details, field: what },
    });
  }
  return new SupervisorError(ErrorCodes.RUNTIME_NOT_FOUND, `no Node >= 24.16 for the gateway: run \`${INSTALL_HINT}\`, or pass nodePath (--node)`, {
    details,
  });
}
