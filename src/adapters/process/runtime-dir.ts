// Where `openclaw-supervisor install-runtime` puts the gateway runtime (the pinned openclaw and a Node 24
// package from the npm registry), and so where the resolver looks for it by default. Like a browser
// cache of a test tool: one directory per pinned openclaw version under the platform's per-user cache
// dir, so two versions of this package on one machine do not take turns reinstalling.
//
//   Linux and others  $XDG_CACHE_HOME/openclaw-supervisor/runtime/openclaw-<version>  (~/.cache when unset)
//   macOS             ~/Library/Caches/openclaw-supervisor/runtime/openclaw-<version>
//   Windows           %LOCALAPPDATA%\openclaw-supervisor\runtime\openclaw-<version>
//
// OPENCLAW_SUPERVISOR_RUNTIME_DIR names the directory itself and wins over all of these.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RUNTIME_DIR_ENV = 'OPENCLAW_SUPERVISOR_RUNTIME_DIR';

/** What install-runtime installs: the runtime project shipped in the package (package.json and its lockfile). */
export interface RuntimeManifest {
  /** The folder holding package.json and package-lock.json. */
  dir: string;
  openclawVersion: string;
  /** The pinned version of the `node-<platform>-<arch>` packages. */
  nodeVersion: string;
}

export interface RuntimeDirOptions {
  /** Default process.env (RUNTIME_DIR_ENV, XDG_CACHE_HOME, LOCALAPPDATA, HOME). */
  env?: NodeJS.ProcessEnv;
  /** Default process.platform. */
  platform?: string;
  /** Default: HOME (USERPROFILE on Windows) from `env` when `env` is given, os.homedir() otherwise. */
  home?: string;
  /** Default: the openclaw version of the shipped manifest. */
  openclawVersion?: string;
}

// The package root is three levels up from both src/adapters/process and dist/adapters/process.
const MANIFEST_DIR = fileURLToPath(new URL('../../../runtime/', import.meta.url));

/**
 * The runtime directory used when none is given: the env override, else the per-user cache dir for the
 * pinned openclaw version. Undefined when no home or cache dir is known (or the manifest is unreadable).
 */
export function defaultRuntimeDir(options: RuntimeDirOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const override = env[RUNTIME_DIR_ENV]?.trim();
  if (override) return override;
  const platform = options.platform ?? process.platform;
  const base = cacheHome(env, platform, options.home ?? (options.env ? homeFromEnv(env, platform) : homedir()));
  const version = options.openclawVersion ?? readRuntimeManifest()?.openclawVersion;
  if (base === undefined || version === undefined) return undefined;
  const path = platform === 'win32' ? win32.join : join;
  return path(base, 'openclaw-supervisor', 'runtime', `openclaw-${version}`);
}

/** The pins shipped with this package, or undefined when the package was bundled without its runtime/ folder. */
export function readRuntimeManifest(dir = MANIFEST_DIR): RuntimeManifest | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const openclawVersion = pkg.dependencies?.openclaw;
    const nodeVersion = Object.entries(pkg.optionalDependencies ?? {}).find(([name]) => name.startsWith('node-'))?.[1];
    if (openclawVersion === undefined || nodeVersion === undefined) return undefined;
    return { dir, openclawVersion, nodeVersion };
  } catch {
    return undefined;
  }
}

function cacheHome(env: NodeJS.ProcessEnv, platform: string, home: string | undefined): string | undefined {
  if (platform === 'win32') return env.LOCALAPPDATA?.trim() || (home ? win32.join(home, 'AppData', 'Local') : undefined);
  if (platform === 'darwin') return home ? join(home, 'Library', 'Caches') : undefined;
  // XDG Base Directory: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME?.trim();
  if (xdg?.startsWith('/')) return xdg;
  return home ? join(home, '.cache') : undefined;
}

function homeFromEnv(env: NodeJS.ProcessEnv, platform: string): string | undefined {
  return (platform === 'win32' ? env.USERPROFILE : env.HOME)?.trim() || undefined;
}
