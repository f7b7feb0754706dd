'use strict';
// An import resolver (eslint-plugin-import interface v2) for the boundaries rules in eslint.config.js.
// The sources import NodeNext-style: './status.js' names './status.ts'. The default node resolver cannot
// map that, and an unresolved relative import would leave the boundaries plugin blind to its element.
// A relative specifier is resolved to the file it names: the file itself when it exists, else its
// TypeScript twin (.js -> .ts, .mjs -> .mts, .cjs -> .cts). Architecture depends on where an import
// points, not on whether the file is there yet; a missing file is the compiler's finding. Bare
// specifiers (packages, node: builtins) return not-found here and fall through to the node resolver.
const fs = require('node:fs');
const path = require('node:path');

const twins = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

exports.interfaceVersion = 2;

exports.resolve = function resolve(source, file) {
  if (!source.startsWith('./') && !source.startsWith('../')) return { found: false };
  const named = path.resolve(path.dirname(file), source);
  const extension = path.extname(named);
  const twin = twins[extension];
  if (twin === undefined) return { found: false };
  if (fs.existsSync(named)) return { found: true, path: named };
  return { found: true, path: named.slice(0, -extension.length) + twin };
};
