// The CLI entry: `openclaw-supervisor run | status | inspect | install-runtime`. Exit codes: 0 ok, 1 runtime failure,
// 2 bad arguments. Errors print their code and message (never a secret) instead of a stack.
import { isSupervisorError } from '../errors.js';
import { HELP, parseCliArgs } from './args.js';
import { runInspectCommand } from './inspect-command.js';
import { runInstallRuntimeCommand } from './install-runtime-command.js';
import { runRunCommand } from './run-command.js';
import { runStatusCommand } from './status-command.js';

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    printError(error, argv.includes('--json'));
    return 2;
  }
  try {
    switch (args.command) {
      case 'run':
        return await runRunCommand(args);
      case 'status':
        return await runStatusCommand(args);
      case 'inspect':
        return runInspectCommand(args);
      case 'install-runtime':
        return await runInstallRuntimeCommand(args);
      default:
        process.stdout.write(HELP);
        return 0;
    }
  } catch (error) {
    printError(error, args.json);
    return 1;
  }
}

function printError(error: unknown, json: boolean): void {
  if (isSupervisorError(error)) {
    process.stderr.write(json ? `${JSON.stringify({ type: 'error', error: error.toJSON() })}\n` : `error ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

// `tsx src/cli/main.ts` runs this file directly; the published bin imports main() and calls it.
const invokedDirectly = process.argv[1] !== undefined && /cli[\\/]main\.(?:ts|js)$/.test(process.argv[1]);
// `openclaw-supervisor inspect | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      printError(error, false);
      process.exitCode = 1;
    },
  );
}
