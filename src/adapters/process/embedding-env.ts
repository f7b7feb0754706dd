// The environment an owned gateway runs with: the embedding preset from openclaw's
// docs/gateway/embedding.md, plus a private state dir that holds everything the gateway writes.
//
// Where the gateway writes, and what moves it (openclaw 2026.9.6, checked by running it):
//  - config and mutable state (sqlite, caches, media, workspace, gateway locks): OPENCLAW_STATE_DIR and
//    OPENCLAW_CONFIG_PATH (the workspace follows OPENCLAW_STATE_DIR when it is set);
//  - ~/.cache and ~/.npm of the CLI, and ~-relative defaults: HOME and OPENCLAW_HOME;
//  - the rolling log file: /tmp/openclaw/openclaw-<date>.log whatever the env says. Only the config key
//    `logging.file` moves it, so a fresh state dir is seeded with a config holding just that key.
// Left outside on purpose: /tmp/openclaw-state-locks-<uid> (machine-wide lock files keyed by the state
// database's path, hard-wired to /tmp so two gateways can see each other) and Node's shared compile cache.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The gateway reads its shared token here when its config holds none (docs/gateway/remote.md). */
export const GATEWAY_TOKEN_ENV = 'OPENCLAW_GATEWAY_TOKEN';

/** Env entry carrying a per-spawn id: every process of one gateway inherits it (see descendant-tracker). */
export const CHILD_MARKER_ENV = 'OPENCLAW_SUPERVISOR_CHILD_ID';

/** The files of one private state dir. */
export interface GatewayPaths {
  /** OPENCLAW_STATE_DIR. */
  stateDir: string;
  /** OPENCLAW_CONFIG_PATH: where the gateway (and doctor) read and write the config. */
  configPath: string;
  /** The gateway's own log file (`logging.file` in a seeded config). */
  logFile: string;
  /** HOME and OPENCLAW_HOME of the child when the home is isolated. */
  homeDir: string;
}

export interface EmbeddingEnvOptions {
  stateDir: string;
  /** OPENCLAW_SKIP_CHANNELS=1: a control-plane-only gateway (`channels.start` then does nothing). */
  skipChannels?: boolean;
  /** Point HOME and OPENCLAW_HOME into the state dir (default true), so nothing lands in the user's home. */
  isolateHome?: boolean;
  /** The environment to start from (default process.env). */
  base?: NodeJS.ProcessEnv;
  /** Set last: the host's explicit choices win over the preset; `undefined` removes a variable. */
  overrides?: Record<string, string | undefined>;
}

/** Paths inside `stateDir` (nothing is created). */
export function gatewayPaths(stateDir: string): GatewayPaths {
  return {
    stateDir,
    configPath: join(stateDir, 'openclaw.json'),
    logFile: join(stateDir, 'logs', 'gateway.log'),
    homeDir: join(stateDir, 'home'),
  };
}

/** The child's environment: `base` minus what must not leak into it, the preset, then `overrides`. */
export function buildEmbeddingEnv(options: EmbeddingEnvOptions): Record<string, string> {
  const paths = gatewayPaths(options.stateDir);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.base ?? process.env)) {
    if (value !== undefined && !isInheritedNoise(name, value)) env[name] = value;
  }
  // Host discovery, restarts and channel lifecycle belong to the supervisor (embedding.md).
  env.OPENCLAW_DISABLE_BONJOUR = '1';
  env.OPENCLAW_NO_RESPAWN = '1';
  env.OPENCLAW_EXEC_SHELL_SNAPSHOT = '0';
  if (options.skipChannels) env.OPENCLAW_SKIP_CHANNELS = '1';
  else delete env.OPENCLAW_SKIP_CHANNELS;
  env.OPENCLAW_STATE_DIR = paths.stateDir;
  env.OPENCLAW_CONFIG_PATH = paths.configPath;
  if (options.isolateHome ?? true) {
    env.HOME = paths.homeDir;
    env.OPENCLAW_HOME = paths.homeDir;
  }
  for (const [name, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Creates the state dir (owner-only) and, when it has no config yet, seeds one that moves the gateway's
 * log file inside it. An existing config is never touched: the gateway owns it from then on.
 */
export async function prepareStateDir(stateDir: string, options: { seedConfig?: boolean } = {}): Promise<GatewayPaths> {
  const paths = gatewayPaths(stateDir);
  await mkdir(paths.homeDir, { recursive: true, mode: 0o700 });
  await mkdir(join(stateDir, 'logs'), { recursive: true, mode: 0o700 });
  if (options.seedConfig ?? true) {
    const seed = `${JSON.stringify({ logging: { file: paths.logFile } }, null, 2)}\n`;
    try {
      // `wx`: only if absent, atomically, so a config written by the gateway or the host is never replaced.
      await writeFile(paths.configPath, seed, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return paths;
}

/**
 * Host variables that would change how the gateway behaves without anyone asking for it: a test runner's
 * markers (the gateway switches to test shortcuts when it sees VITEST* or NODE_ENV=test) and the host's
 * NODE_OPTIONS (a TypeScript loader or inspector flag meant for the host, not for a Node 24 child).
 */
function isInheritedNoise(name: string, value: string): boolean {
  if (name.startsWith('VITEST') || name === 'NODE_OPTIONS' || name === CHILD_MARKER_ENV) return true;
  return name === 'NODE_ENV' && value === 'test';
}

/**
 * The token kept in the state dir's config (`gateway.auth.token`), or undefined when there is no config,
 * it is not JSON we can read, or it holds no token. A later run reuses it, and `status --state-dir` and the
 * gateway's own CLI find it there.
 */
export async function readStateDirToken(stateDir: string): Promise<string | undefined> {
  const config = await readConfig(gatewayPaths(stateDir).configPath);
  const token = config.kind === 'ok' ? (config.value.gateway as { auth?: { token?: unknown } } | undefined)?.auth?.token : undefined;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/**
 * Makes the state dir's config hold `token` as `gateway.auth.token`, in a file only its owner can read
 * (0600). The gateway ranks a config token above OPENCLAW_GATEWAY_TOKEN, so the config is where a token
 * that must win lives; and it keeps the token out of the child's argv, which every local user can read.
 * Written atomically (temp file, then rename) so the gateway never reads half a file. Returns false, and
 * writes nothing, when the config exists but is not plain JSON (a hand-written JSON5 file): the caller
 * then relies on the environment.
 */
export async function writeStateDirToken(stateDir: string, token: string): Promise<boolean> {
  const { configPath } = gatewayPaths(stateDir);
  const config = await readConfig(configPath);
  if (config.kind === 'unreadable') return false;
  const value = config.kind === 'ok' ? config.value : {};
  const gateway = isRecord(value.gateway) ? value.gateway : {};
  const auth = isRecord(gateway.auth) ? gateway.auth : {};
  if (auth.token === token && config.kind === 'ok') {
    await chmod(configPath, 0o600);
    return true;
  }
  const next = { ...value, gateway: { ...gateway, auth: { ...auth, token } } };
  const temp = `${configPath}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, configPath);
  return true;
}

type ConfigRead = { kind: 'ok'; value: Record<string, unknown> } | { kind: 'missing' } | { kind: 'unreadable' };

async function readConfig(configPath: string): Promise<ConfigRead> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable' };
  }
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? { kind: 'ok', value } : { kind: 'unreadable' };
  } catch {
    return { kind: 'unreadable' };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
