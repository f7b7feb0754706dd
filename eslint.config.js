// Lint: the recommended rule sets (syntax-only, no type information, so a run stays in seconds) plus the
// import boundaries of ARCHITECTURE.md ("Rules of the house"). Formatting is Prettier's job:
// eslint-config-prettier comes last and switches off every rule that would fight it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
// The node resolver that boundaries uses by default cannot place NodeNext imports ('./status.js' names
// './status.ts'); this one can, and the node resolver still places packages and builtins.
const nodeNextResolver = fileURLToPath(new URL('./scripts/eslint-resolver.cjs', import.meta.url));

// A dependency selector that matches every import: local files, packages and node builtins.
const anything = { to: { module: { origin: '*' } } };
const elementsOf = (...types) => ({ to: { element: { type: types } } });
const packageNamed = (source) => ({ to: { module: { origin: 'external', source } } });

// The plain JavaScript files run on Node; TypeScript files get their globals checked by tsc instead.
const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  URL: 'readonly',
  Buffer: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
};

export default defineConfig(
  globalIgnores(['dist/', 'runtime/', 'node_modules/', 'bench/results/', '.openclaw-state*/', '.tmp/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // An unused parameter or binding is allowed when its name says so (`_event`), as in the code base.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    // A CommonJS file has no other way to load a module than require().
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Import boundaries, checked on every import, re-export, require and dynamic import under src/.
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { [nodeNextResolver]: {}, node: {} },
      'boundaries/root-path': root,
      'boundaries/legacy-templates': false,
      // First match wins: the last element is the rest of src (cli, inspector, testing, the root files).
      'boundaries/elements': [
        { type: 'machines', pattern: 'src/machines', partialMatch: false },
        { type: 'protocol', pattern: 'src/protocol', partialMatch: false },
        { type: 'contracts', pattern: 'src/contracts', partialMatch: false },
        { type: 'adapters', pattern: 'src/adapters', partialMatch: false },
        { type: 'runtime', pattern: 'src/runtime', partialMatch: false },
        { type: 'rest', pattern: 'src', partialMatch: false },
      ],
    },
    rules: {
      // Policies are read top to bottom and the last one that matches decides; imports inside one
      // element (machines/gateway -> machines/policy) are not checked.
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'no boundary policy covers this import of {{dependency.source}}; add one in eslint.config.js',
          // Packages and node: builtins are checked too, and so are local files outside every element
          // (an import that cannot be placed is refused, not waved through).
          checkAllOrigins: true,
          checkUnknownLocals: true,
          policies: [
            { from: { element: { type: ['adapters', 'runtime', 'rest'] } }, allow: anything },
            {
              from: { element: { type: 'machines' } },
              disallow: anything,
              message:
                'machines are pure: they may import only xstate, src/protocol, src/contracts and their own folder (not {{dependency.source}}); I/O belongs in src/adapters, provided through machine.provide()',
            },
            {
              from: { element: { type: 'machines' } },
              allow: [elementsOf('machines', 'protocol', 'contracts'), packageNamed('xstate')],
            },
            {
              from: { element: { type: 'protocol' } },
              disallow: anything,
              message: 'protocol is pure data: it may import only zod and its own folder (not {{dependency.source}})',
            },
            { from: { element: { type: 'protocol' } }, allow: [elementsOf('protocol'), packageNamed('zod')] },
            {
              from: { element: { type: 'contracts' } },
              disallow: anything,
              message: 'contracts are pure types: they may only `import type` from src/protocol and src/contracts (not {{dependency.source}})',
            },
            {
              from: { element: { type: 'contracts' } },
              allow: { ...elementsOf('protocol', 'contracts'), dependency: { kind: 'type' } },
            },
            {
              from: { element: { type: 'adapters' } },
              disallow: elementsOf('machines'),
              message:
                'adapters never import src/machines ({{dependency.source}}): the runtime layer is the only place that wires machines to adapters',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
