// The tarball check bites: a package whose exports map or bin points at a file that is not in the
// `npm pack --dry-run` list fails it, and repo tooling in the list is named. The real tarball is checked
// with the same functions in tests/e2e/package-consumer.test.ts.
import { describe, expect, it } from 'vitest';
import { missingPackageFiles, pointedAt, repoToolingIn } from '../support/package-contents.js';

const pkg = {
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './testing': { types: './dist/testing/index.d.ts', import: './dist/testing/index.js' },
    './plugins/*': './dist/plugins/*.js',
    './package.json': './package.json',
  },
  bin: { 'openclaw-supervisor': './bin/openclaw-supervisor.js' },
};
const complete = [
  'package.json',
  'bin/openclaw-supervisor.js',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/testing/index.js',
  'dist/testing/index.d.ts',
  'dist/plugins/a.js',
];

describe('tarball contents', () => {
  it('collects every target of main, types, bin and every condition of the exports map', () => {
    expect(new Set(pointedAt(pkg))).toEqual(
      new Set([
        './dist/index.js',
        './dist/index.d.ts',
        './dist/testing/index.d.ts',
        './dist/testing/index.js',
        './dist/plugins/*.js',
        './package.json',
        './bin/openclaw-supervisor.js',
      ]),
    );
  });

  it('passes when every pointed-at file is packed', () => {
    expect(missingPackageFiles(pkg, complete)).toEqual([]);
  });

  it('fails when an exports entry points at a file that is not packed', () => {
    const files = complete.filter((f) => f !== 'dist/testing/index.d.ts');
    expect(missingPackageFiles(pkg, files)).toEqual(['dist/testing/index.d.ts']);
  });

  it('fails when the bin is not packed', () => {
    expect(
      missingPackageFiles(
        pkg,
        complete.filter((f) => !f.startsWith('bin/')),
      ),
    ).toEqual(['bin/openclaw-supervisor.js']);
  });

  it('fails when a subpath pattern matches no packed file', () => {
    expect(
      missingPackageFiles(
        pkg,
        complete.filter((f) => !f.startsWith('dist/plugins/')),
      ),
    ).toEqual(['dist/plugins/*.js']);
  });

  it('names the repo tooling that slipped into the list, and lets the runtime manifest through', () => {
    const files = [...complete, 'src/index.ts', 'scripts/install-runtime.mjs', 'runtime/package.json', 'runtime/package-lock.json', 'tsconfig.json'];
    expect(repoToolingIn(files)).toEqual(['src/index.ts', 'scripts/install-runtime.mjs', 'tsconfig.json']);
  });
});
