// The package as a host gets it: `npm pack`, installed into a fresh project that has nothing of this repo,
// every exports entry imported, a consumer file type-checked under NodeNext and Bundler, the bin's --help,
// and README's "Use it in your app" commands run as written: install-runtime into a temporary cache dir
// (XDG_CACHE_HOME), then `run` a real gateway to ready on the cached Node 24 while our own Node is 20, and
// SIGINT it with nothing left behind.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPids, readCmdline } from '../../src/adapters/process/process-table.js';
import { readRunLines } from '../support/run-lines.js';
import { freePort } from '../support/free-port.js';
import { missingPackageFiles, repoToolingIn, type PackageJsonShape } from '../support/package-contents.js';
import { isAlive, listGatewayProcesses } from '../support/process-tree.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as PackageJsonShape & { name: string };
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

let work: string;
let tarball: string;
let app: string;
let cacheHome: string;
const readme = readmeSection(readFileSync(join(repo, 'README.md'), 'utf8'), '## Use it in your app');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ocs-consumer-'));
  app = join(work, 'app');
  cacheHome = join(work, 'cache');
  mkdirSync(app);
  // The real `npm pack`: prepack builds dist/, as it would before a publish.
  const packed = await exec('npm', ['pack', '--json', '--pack-destination', work], { cwd: repo });
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, lastJsonArray<{ filename: string }>(packed.stdout)[0]!.filename);
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the published package', () => {
  it('npm pack --dry-run lists every file the exports map and the bin point at, and none of the repo tooling', async () => {
    const dry = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repo });
    expect(dry.code, dry.stderr).toBe(0);
    const files = lastJsonArray<{ files: Array<{ path: string }> }>(dry.stdout)[0]!.files.map((f) => f.path);
    expect(missingPackageFiles(repoPackage, files)).toEqual([]);
    expect(repoToolingIn(files)).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['runtime/package.json', 'runtime/package-lock.json']));
  });

  it("installs into a fresh project by README's command, running nothing that needs the repo", async () => {
    expect(readme.commands[0]).toBe(`npm install ${repoPackage.name}`);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true, type: 'module' }));
    const [npm, ...args] = readme.commands[0]!.split(' ').map((word) => (word === repoPackage.name ? tarball : word));
    const installed = await exec(npm!, [...args, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app });
    expect(installed.code, installed.stderr).toBe(0);
    // No gateway was fetched: the runtime is install-runtime's job.
    expect(() => readFileSync(join(app, 'node_modules', 'openclaw', 'package.json'))).toThrow();
    // Long when a dependency compiles native code (no prebuilt binaries can be fetched here).
  }, 600_000);

  it('imports every entry of the exports map', async () => {
    const entries = exportEntries();
    const script = `
      const out = {};
      for (const spec of ${JSON.stringify(entries)}) {
        const mod = spec.endsWith('.json') ? await import(spec, { with: { type: 'json' } }) : await import(spec);
        out[spec] = Object.keys(mod).length;
      }
      console.log(JSON.stringify(out));`;
    const imported = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    expect(imported.code, imported.stderr).toBe(0);
    const counts = JSON.parse(imported.stdout) as Record<string, number>;
    expect(Object.keys(counts)).toEqual(entries);
    for (const spec of entries) expect(counts[spec], spec).toBeGreaterThan(0);
  });

  it("type-checks a consumer file and README's example under NodeNext and under Bundler", async () => {
    const modules = exportEntries().filter((spec) => !spec.endsWith('.json'));
    const consumer = modules.map((spec, i) => `import * as entry${i} from '${spec}';`).join('\n');
    writeFileSync(join(app, 'consumer.ts'), `${consumer}\nexport const entries = [${modules.map((_, i) => `entry${i}`).join(', ')}];\n`);
    writeFileSync(join(app, 'example.ts'), readme.example);
    const resolutions = [
      ['nodenext', 'NodeNext', 'NodeNext'],
      ['bundler', 'ESNext', 'Bundler'],
    ] as const;
    const check = async ([name, module, moduleResolution]: (typeof resolutions)[number]) => {
      const compilerOptions = {
        module,
        moduleResolution,
        target: 'ES2022',
        lib: ['ES2023'],
        strict: true,
        noEmit: true,
        // The package's own .d.ts files are checked too: a type they need that a host lacks fails here.
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(repo, 'node_modules', '@types')],
      };
      writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: ['consumer.ts', 'example.ts'] }));
      const checked = await exec(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: app });
      return { moduleResolution, code: checked.code, output: checked.stdout + checked.stderr };
    };
    // Two compilers at once: one per core.
    const results = await Promise.all(resolutions.map(check));
    expect(results).toEqual([
      { moduleResolution: 'NodeNext', code: 0, output: '' },
      { moduleResolution: 'Bundler', code: 0, output: '' },
    ]);
  });

  it('the bin prints its help through npx', async () => {
    const help = await exec('npx', [repoPackage.name, '--help'], { cwd: app });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^openclaw-supervisor <command>/);
    expect(help.stdout).toContain('install-runtime');
  });

  it("installs the runtime into the per-user cache dir by README's command, and a second run is instant", async () => {
    expect(readme.commands[1]).toBe(`npx ${repoPackage.name} install-runtime`);
    const [npx, ...args] = readme.commands[1]!.split(' ');
    const first = await exec(npx!, [...args, '--json'], { cwd: app, env: { XDG_CACHE_HOME: cacheHome } });
    expect(first.code, first.stderr).toBe(0);
    const steps = jsonLines(first.stdout);
    expect(steps.map((s) => s.type)).toEqual(expect.arrayContaining(['installing', 'fetching', 'fetched', 'scripts', 'ready']));
    const ready = steps.find((s) => s.type === 'ready')!;
    expect(ready).toMatchObject({ installed: true, dir: expect.stringContaining(join(cacheHome, 'openclaw-supervisor', 'runtime')) });

    const second = await exec(npx!, [...args, '--json'], { cwd: app, env: { XDG_CACHE_HOME: cacheHome } });
    expect(second.code, second.stderr).toBe(0);
    const again = jsonLines(second.stdout).find((s) => s.type === 'ready')!;
    expect(again).toMatchObject({ installed: false, dir: ready.dir });
    expect(again.elapsedMs).toBeLessThan(2_000);
  }, 300_000);

  it("README's `run` supervises a real gateway on the cached Node 24 while our own Node is 20, and SIGINT leaves nothing behind", async () => {
    expect(readme.commands[2]).toBe(`npx ${repoPackage.name} run`);
    expect(process.versions.node.startsWith('20.')).toBe(true);
    const stateDir = join(work, 'state');
    const [npx, ...args] = readme.commands[2]!.split(' ');
    const port = await freePort();
    // Its own process group, so the SIGINT below reaches npx and the bin together, as Ctrl-C in a terminal does.
    const child = spawn(npx!, [...args, '--json', '--no-inspect', '--port', String(port), '--state-dir', stateDir], {
      cwd: app,
      env: hostEnv({ XDG_CACHE_HOME: cacheHome }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.on('close', (code, signal) => r({ code, signal })),
    );
    const { lines, ready } = readRunLines<{ type: string; status?: { pid?: number } }>(child, exited);
    try {
      await ready;
      const pid = lines.find((l) => l.type === 'spawned')?.status?.pid;
      expect(pid && isAlive(pid)).toBe(true);
      // The gateway runs on the Node that install-runtime put in the cache dir.
      expect(realpathSync(readlinkSync(`/proc/${pid}/exe`))).toContain(realpathSync(cacheHome));
      process.kill(-child.pid!, 'SIGINT');
      // The bin exits 0 after its stop; npx then ends itself with the signal it was sent, as npm does.
      expect([
        { code: 0, signal: null },
        { code: null, signal: 'SIGINT' },
      ]).toContainEqual(await exited);
      expect(lines.at(-1)?.type).toBe('stopped');
      expect(isAlive(pid!)).toBe(false);
      expect(listGatewayProcesses(stateDir)).toEqual([]);
      expect(processesMentioning(work)).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  });
});

/** The import specifiers of every exports entry, read from the installed copy. */
function exportEntries(): string[] {
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', repoPackage.name, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  return Object.keys(installed.exports).map((key) => (key === '.' ? repoPackage.name : `${repoPackage.name}/${key.slice(2)}`));
}

/** The commands of the section's bash block (comments dropped) and its TypeScript example. */
function readmeSection(markdown: string, heading: string): { commands: string[]; example: string } {
  const start = markdown.indexOf(`${heading}\n`);
  expect(start, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const section = markdown.slice(start + heading.length, markdown.indexOf('\n## ', start + heading.length));
  const bash = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const commands = bash
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  return { commands, example };
}

/**
 * The environment of a host machine: none of the npm_* variables of the `npm test` that runs us (they would
 * point npx at this repo), no runtime overrides, and no node_modules/.bin of this repo on PATH.
 */
function hostEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && key.toLowerCase() !== 'npm_config_cache') continue;
    if (key.startsWith('OPENCLAW_SUPERVISOR_')) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules/.bin'))
    .join(delimiter);
  return { ...env, ...extra };
}

function exec(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun) => {
    const child = spawn(command, args, { cwd: options.cwd, env: hostEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** npm prints its --json array after whatever the lifecycle scripts printed. */
function lastJsonArray<T>(stdout: string): T[] {
  const starts = [...stdout.matchAll(/^\[$/gm)];
  return JSON.parse(stdout.slice(starts.at(-1)?.index ?? 0)) as T[];
}

function jsonLines(stdout: string): Array<Record<string, unknown> & { type: string; elapsedMs: number }> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string; elapsedMs: number });
}

/** Live processes (other than us) whose argv mentions `dir`. */
function processesMentioning(dir: string): number[] {
  return listPids().filter((pid) => pid !== process.pid && (readCmdline(pid) ?? []).some((arg) => arg.includes(dir)));
}
