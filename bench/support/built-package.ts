// The supervisor as hosts run it: the built package (dist/, what `npm install openclaw-supervisor` ships),
// built once per process. The sources under tsx are the same code plus the keep-names wrapper tsx puts on
// every function it creates, a call the hot path would pay per closure made and hosts never do.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type * as Package from '../../src/index.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let loaded: Promise<typeof Package> | undefined;

/** Builds dist/ (tsc, a few seconds) on first use and imports its entry point. */
export function builtPackage(): Promise<typeof Package> {
  loaded ??= (async () => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    return (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Package;
  })();
  return loaded;
}
