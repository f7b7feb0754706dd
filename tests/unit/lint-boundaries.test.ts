// The import boundaries of eslint.config.js bite: each case lints one import in a virtual file (the
// paths need not exist; imports are placed by the path they name) and asserts on the rule id, so a
// rule that stops firing, or a resolver that stops placing NodeNext `.js` imports, fails here.
import { ESLint, type Linter } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const RULE = 'boundaries/dependencies';
const eslint = new ESLint({ cwd: repoRoot });

async function lintImport(file: string, statement: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(`${statement}\n`, { filePath: `${repoRoot}${file}` });
  const messages = result!.messages;
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages;
}

const boundaryErrors = (messages: Linter.LintMessage[]) => messages.filter((m) => m.ruleId === RULE && m.severity === 2);
const valueImport = (source: string) => `import * as m from '${source}';\nexport { m };`;

describe('import boundaries (eslint-plugin-boundaries)', () => {
  beforeAll(async () => {
    // Loading the config and the TypeScript parser is the slow part; do it once, outside the cases.
    await eslint.calculateConfigForFile(`${repoRoot}src/index.ts`);
  }, 30_000);

  describe('src/machines is pure', () => {
    const file = 'src/machines/gateway/x.ts';

    it.each([
      'node:fs',
      'fs',
      'ws',
      'pino',
      'zod',
      '../../adapters/process/index.js',
      '../../runtime/status.js',
      '../../config.js',
      '../../inspector/index.js',
    ])('refuses %s', async (source) => {
      const errors = boundaryErrors(await lintImport(file, valueImport(source)));
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toContain('machines are pure');
    });

    it('refuses a type-only import from the runtime and a dynamic import of a builtin', async () => {
      const typeOnly = await lintImport(file, "import type { GatewayStatus } from '../../runtime/status.js';\nexport type { GatewayStatus };");
      expect(boundaryErrors(typeOnly).map((m) => m.ruleId)).toEqual([RULE]);
      const dynamic = await lintImport(file, "export const load = () => import('node:child_process');");
      expect(boundaryErrors(dynamic).map((m) => m.ruleId)).toEqual([RULE]);
    });

    it.each(['xstate', 'xstate/graph', '../../protocol/index.js', '../../contracts/index.js', './types.js', '../policy/index.js', '../index.js'])(
      'allows %s',
      async (source) => {
        expect(await lintImport(file, valueImport(source))).toEqual([]);
      },
    );
  });

  describe('src/protocol is pure data', () => {
    const file = 'src/protocol/x.ts';

    it.each(['xstate', 'node:crypto', '../machines/index.js', '../contracts/index.js'])('refuses %s', async (source) => {
      const errors = boundaryErrors(await lintImport(file, valueImport(source)));
      expect(errors.map((m) => m.ruleId)).toEqual([RULE]);
      expect(errors[0]!.message).toContain('protocol is pure data');
    });

    it.each(['zod', './frames.js'])('allows %s', async (source) => {
      expect(await lintImport(file, valueImport(source))).toEqual([]);
    });
  });

  describe('src/contracts holds pure types', () => {
    const file = 'src/contracts/x.ts';
    const typeImport = (source: string) => `import type { T } from '${source}';\nexport type { T };`;

    it.each(['../protocol/index.js', './process.js'])('allows `import type` from %s', async (source) => {
      expect(await lintImport(file, typeImport(source))).toEqual([]);
    });

    it.each([
      ['a value import from protocol', valueImport('../protocol/index.js')],
      ['a type from machines', typeImport('../machines/index.js')],
      ['zod', typeImport('zod')],
    ])('refuses %s', async (_case, statement) => {
      const errors = boundaryErrors(await lintImport(file, statement));
      expect(errors.map((m) => m.ruleId)).toEqual([RULE]);
      expect(errors[0]!.message).toContain('contracts are pure types');
    });
  });

  describe('src/adapters never imports src/machines', () => {
    const file = 'src/adapters/process/x.ts';

    it.each([valueImport('../../machines/index.js'), "import type { T } from '../../machines/gateway/types.js';\nexport type { T };"])(
      'refuses %s',
      async (statement) => {
        const errors = boundaryErrors(await lintImport(file, statement));
        expect(errors.map((m) => m.ruleId)).toEqual([RULE]);
        expect(errors[0]!.message).toContain('adapters never import src/machines');
      },
    );

    it.each(['node:child_process', 'ws', 'pino', '../../protocol/index.js', '../../contracts/index.js', '../websocket/index.js', '../../errors.js'])(
      'allows %s',
      async (source) => {
        expect(await lintImport(file, valueImport(source))).toEqual([]);
      },
    );
  });

  describe('the rest of src is unrestricted', () => {
    it.each([
      ['src/runtime/x.ts', '../machines/index.js'],
      ['src/runtime/x.ts', '../adapters/process/index.js'],
      ['src/cli/x.ts', '../machines/index.js'],
      ['src/index.ts', './machines/index.js'],
      ['src/testing/x.ts', 'node:net'],
    ])('%s may import %s', async (file, source) => {
      expect(await lintImport(file, valueImport(source))).toEqual([]);
    });
  });
});
