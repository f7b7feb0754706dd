// What a published tarball must hold, checked against the file list `npm pack --dry-run --json` prints:
// every file the exports map, `main`, `types` and `bin` point at, and nothing of the repo's own tooling.
// Pure, so the check itself is unit tested with a package that points at a missing file.

export interface PackageJsonShape {
  main?: string;
  types?: string;
  exports?: unknown;
  bin?: string | Record<string, string>;
}

/** Paths the package points at that are not in `files` (paths relative to the package root, no `./`). */
export function missingPackageFiles(pkg: PackageJsonShape, files: readonly string[]): string[] {
  const present = new Set(files.map(normalize));
  const missing: string[] = [];
  for (const target of pointedAt(pkg)) {
    const path = normalize(target);
    const found = path.includes('*') ? files.some((file) => patternOf(path).test(normalize(file))) : present.has(path);
    if (!found) missing.push(path);
  }
  return [...new Set(missing)];
}

/** Every target of `main`, `types`, `bin` and the exports map (all conditions, nested or not). */
export function pointedAt(pkg: PackageJsonShape): string[] {
  const out: string[] = [];
  if (pkg.main) out.push(pkg.main);
  if (pkg.types) out.push(pkg.types);
  if (typeof pkg.bin === 'string') out.push(pkg.bin);
  else if (pkg.bin) out.push(...Object.values(pkg.bin));
  collectTargets(pkg.exports, out);
  return out;
}

// The repo's tooling and sources: a host needs none of it (runtime/ ships only its package.json and lockfile,
// the manifest `install-runtime` installs from).
const TOOLING = [
  /^src\//,
  /^tests\//,
  /^scripts\//,
  /^bench\//,
  /^\.ci\//,
  /^\.github\//,
  /^runtime\/node_modules\//,
  /^node_modules\//,
  /^tsconfig/,
  /^eslint\.config/,
  /^vitest\.config/,
  /^\.prettier/,
];

/** Files in the tarball that belong to the repo's tooling. */
export function repoToolingIn(files: readonly string[]): string[] {
  return files.map(normalize).filter((file) => TOOLING.some((pattern) => pattern.test(file)));
}

function collectTargets(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectTargets(item, out);
  else if (value && typeof value === 'object') for (const nested of Object.values(value)) collectTargets(nested, out);
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

function patternOf(path: string): RegExp {
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.+');
  return new RegExp(`^${escaped}$`);
}
