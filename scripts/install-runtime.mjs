#!/usr/bin/env node
// Installs the gateway runtime (openclaw + a Node >= 24.16 binary from the npm registry) into
// runtime/node_modules, for this repo's tests, demo and benchmarks: it runs as the root `prepare` script,
// which `npm ci` / `npm install` in the repo run and a host's install of the package never does. Hosts use
// `openclaw-supervisor install-runtime`, which installs the same lockfile the same way into a cache dir. It lives apart from the root install for two reasons (docs/decisions.md):
//  - the `node-<platform>-<arch>` package links a `node` bin; at the root it would shadow the host's
//    Node 20 for every npm script, silently running our own tests on the gateway's runtime;
//  - openclaw's install scripts refuse Node 20, so they must run with the Node 24 binary first on PATH.
// Steps: `npm ci --ignore-scripts` (fetch and link bins), then `npm rebuild` with runtime/node_modules/.bin
// first on PATH so the lifecycle scripts run on Node 24. A stamp of the lockfile makes re-runs instant.
//
//   node scripts/install-runtime.mjs          install if missing or stale
//   node scripts/install-runtime.mjs --check  same, and fail loudly if it still is not usable
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runtimeDir = join(root, 'runtime');
const lockFile = join(runtimeDir, 'package-lock.json');
const stampFile = join(runtimeDir, 'node_modules', '.install-stamp');
const binDir = join(runtimeDir, 'node_modules', '.bin');

if (process.env.OPENCLAW_SUPERVISOR_SKIP_RUNTIME === '1') {
  console.log('[runtime] skipped (OPENCLAW_SUPERVISOR_SKIP_RUNTIME=1)');
  process.exit(0);
}

const wanted = existsSync(lockFile) ? createHash('sha256').update(readFileSync(lockFile)).digest('hex') : 'no-lock';
const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';

if (current !== wanted || !usable()) install();
if (!usable()) {
  console.error('[runtime] the gateway runtime is not usable after install; see the npm output above.');
  process.exit(1);
}
if (process.argv.includes('--check')) console.log(`[runtime] ${describe()}`);

function install() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const ciOrInstall = existsSync(lockFile) ? 'ci' : 'install';
  console.log(`[runtime] npm ${ciOrInstall} in runtime/ (openclaw + Node 24 from the npm registry)`);
  // The parent npm's npm_config_* variables describe the root install (and can make `npm ci` refuse
  // its arguments); the runtime install is its own project, so they are dropped.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  run(npm, [ciOrInstall, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], clean);
  // Second pass: lifecycle scripts, with the Node 24 binary first on PATH.
  run(npm, ['rebuild', '--loglevel=error'], { ...clean, PATH: `${binDir}${delimiter}${clean.PATH ?? ''}` });
  const stamp = existsSync(lockFile) ? createHash('sha256').update(readFileSync(lockFile)).digest('hex') : 'no-lock';
  writeFileSync(stampFile, `${stamp}\n`);
}

function run(cmd, args, env) {
  const result = spawnSync(cmd, args, { cwd: runtimeDir, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[runtime] ${cmd} ${args.join(' ')} failed with ${result.status ?? result.signal}`);
    process.exit(result.status ?? 1);
  }
}

function nodeBinary() {
  return join(binDir, process.platform === 'win32' ? 'node.cmd' : 'node');
}

function usable() {
  return existsSync(nodeBinary()) && existsSync(join(runtimeDir, 'node_modules', 'openclaw', 'openclaw.mjs'));
}

function describe() {
  const v = spawnSync(nodeBinary(), ['--version'], { encoding: 'utf8' }).stdout.trim();
  const oc = JSON.parse(readFileSync(join(runtimeDir, 'node_modules', 'openclaw', 'package.json'), 'utf8')).version;
  return `gateway runtime ready: node ${v}, openclaw ${oc}`;
}
