import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildEmbeddingEnv,
  CHILD_MARKER_ENV,
  gatewayPaths,
  prepareStateDir,
  readStateDirToken,
  writeStateDirToken,
} from '../../src/adapters/process/embedding-env.js';
import { buildGatewayArgv } from '../../src/adapters/process/spawn-gateway.js';
import { redactArgv } from '../../src/redact.js';

const root = mkdtempSync(join(tmpdir(), 'ocs-env-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('embedding environment', () => {
  const base = { PATH: '/usr/bin', LANG: 'C.UTF-8', HOME: '/home/someone' };

  it('sets the embedding preset and points every state path into the state dir', () => {
    const env = buildEmbeddingEnv({ stateDir: '/srv/gw', base });
    expect(env).toMatchObject({
      OPENCLAW_DISABLE_BONJOUR: '1',
      OPENCLAW_NO_RESPAWN: '1',
      OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
      OPENCLAW_STATE_DIR: '/srv/gw',
      OPENCLAW_CONFIG_PATH: '/srv/gw/openclaw.json',
      HOME: '/srv/gw/home',
      OPENCLAW_HOME: '/srv/gw/home',
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
    });
  });

  it('skips channels only when asked, even if the host shell had it set', () => {
    expect(buildEmbeddingEnv({ stateDir: '/s', base, skipChannels: true }).OPENCLAW_SKIP_CHANNELS).toBe('1');
    expect(buildEmbeddingEnv({ stateDir: '/s', base: { ...base, OPENCLAW_SKIP_CHANNELS: '1' } })).not.toHaveProperty('OPENCLAW_SKIP_CHANNELS');
  });

  it('keeps the real HOME when home isolation is turned off', () => {
    const env = buildEmbeddingEnv({ stateDir: '/s', base, isolateHome: false });
    expect(env.HOME).toBe('/home/someone');
    expect(env).not.toHaveProperty('OPENCLAW_HOME');
  });

  it('does not pass a test runner or host loader on to the gateway', () => {
    const env = buildEmbeddingEnv({
      stateDir: '/s',
      base: { ...base, VITEST: 'true', VITEST_POOL_ID: '1', NODE_ENV: 'test', NODE_OPTIONS: '--import tsx', [CHILD_MARKER_ENV]: 'parent' },
    });
    for (const name of ['VITEST', 'VITEST_POOL_ID', 'NODE_ENV', 'NODE_OPTIONS', CHILD_MARKER_ENV]) expect(env).not.toHaveProperty(name);
    expect(buildEmbeddingEnv({ stateDir: '/s', base: { NODE_ENV: 'production' } }).NODE_ENV).toBe('production');
  });

  it("lets the host's explicit overrides win, and remove variables", () => {
    const env = buildEmbeddingEnv({
      stateDir: '/s',
      base,
      overrides: { OPENCLAW_EXEC_SHELL_SNAPSHOT: '1', OPENCLAW_LOG_LEVEL: 'debug', LANG: undefined },
    });
    expect(env.OPENCLAW_EXEC_SHELL_SNAPSHOT).toBe('1');
    expect(env.OPENCLAW_LOG_LEVEL).toBe('debug');
    expect(env).not.toHaveProperty('LANG');
  });
});

describe('state dir preparation', () => {
  it('creates an owner-only dir and seeds a config that keeps the log file inside it', async () => {
    const stateDir = join(root, 'fresh', 'state');
    const paths = await prepareStateDir(stateDir);
    expect(paths).toEqual(gatewayPaths(stateDir));
    expect(statSync(stateDir).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(paths.configPath, 'utf8'))).toEqual({ logging: { file: join(stateDir, 'logs', 'gateway.log') } });
    expect(statSync(paths.configPath).mode & 0o077).toBe(0);
  });

  it('never replaces a config that is already there', async () => {
    const stateDir = join(root, 'existing');
    const { configPath } = gatewayPaths(stateDir);
    await prepareStateDir(stateDir, { seedConfig: false });
    writeFileSync(configPath, '{ gateway: { mode: "local" } }');
    await prepareStateDir(stateDir);
    expect(readFileSync(configPath, 'utf8')).toBe('{ gateway: { mode: "local" } }');
  });
});

describe('gateway argv', () => {
  it('starts the gateway on loopback and carries no token (argv is world-readable)', () => {
    const argv = buildGatewayArgv({ entry: '/x/openclaw.mjs', port: 18_801, dev: true, extraArgs: ['--verbose'] });
    expect(argv).toEqual(['/x/openclaw.mjs', 'gateway', '--port', '18801', '--allow-unconfigured', '--bind', 'loopback', '--dev', '--verbose']);
    expect(argv.join(' ')).not.toContain('token');
    expect(redactArgv(['gateway', '--token', 'sekret-token']).join(' ')).not.toContain('sekret-token');
  });

  it('keeps the token in the state dir config (0600) beside what is there, and reads it back', async () => {
    const dir = join(root, 'token-state');
    const paths = await prepareStateDir(dir);
    expect(await readStateDirToken(dir)).toBeUndefined();
    expect(await writeStateDirToken(dir, 'tok-one')).toBe(true);
    expect(await readStateDirToken(dir)).toBe('tok-one');
    const config = JSON.parse(readFileSync(paths.configPath, 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ logging: { file: paths.logFile }, gateway: { auth: { token: 'tok-one' } } });
    expect(statSync(paths.configPath).mode & 0o777).toBe(0o600);
    // A JSON5 file written by hand is left alone: the token then goes by environment only.
    writeFileSync(paths.configPath, '{ // mine\n gateway: {} }\n');
    expect(await writeStateDirToken(dir, 'tok-two')).toBe(false);
    expect(await readStateDirToken(dir)).toBeUndefined();
  });
});
