// `openclaw-supervisor run`: supervise one gateway until Ctrl-C (or SIGTERM), printing phases and live
// status, with the inspector page on loopback (its URL carries the per-run key) and, with --record, the
// inspection trace written to a file from the first event. Stop is clean: the child, its broker, the
// socket, the inspector, the trace file and every timer are gone before the process exits.
import { resolve } from 'node:path';
import { createDefaultLogger } from '../logger.js';
import { startInspector, supervisorCommands, type Inspector, type InspectorCommand } from '../inspector/index.js';
import { createTraceRecorder } from '../inspector/trace.js';
import { createGatewaySupervisor } from '../runtime/gateway-supervisor.js';
import type { SupervisorStatus } from '../runtime/status.js';
import type { CliArgs } from './args.js';
import { describeGatewayAccess } from './gateway-access.js';
import { describeProgress, formatElapsed } from './progress.js';

export async function runRunCommand(args: CliArgs): Promise<number> {
  const t0 = Date.now();
  const print = (kind: string, text: string, extra: Record<string, unknown> = {}) => {
    const elapsedMs = Date.now() - t0;
    if (args.json) process.stdout.write(`${JSON.stringify({ type: kind, elapsedMs, text, ...extra })}\n`);
    else process.stdout.write(`${formatElapsed(elapsedMs).padStart(8)}  ${text}\n`);
  };

  const mode = args.attach ? 'attach' : args.auto ? 'auto' : 'managed';
  // The inspector (or the bare recorder) exists before the supervisor, so it sees the system's first event.
  const commands: Record<string, InspectorCommand> = {};
  const redact = [args.token];
  let inspector: Inspector | undefined;
  if (!args.noInspect) {
    inspector = await startInspector({
      commands,
      redact,
      ...(args.inspectPort === undefined ? {} : { port: args.inspectPort }),
      ...(args.record === undefined ? {} : { recordFile: resolve(args.record) }),
    });
  }
  const recorder = args.noInspect && args.record !== undefined ? createTraceRecorder(resolve(args.record), { redact }) : undefined;
  const observer = inspector ?? recorder;
  const supervisor = createGatewaySupervisor({
    mode,
    ...(args.attach ? { url: args.attach } : { stateDir: resolve(args.stateDir ?? '.openclaw-state') }),
    ...(args.port === undefined ? {} : { port: args.port }),
    ...(args.token === undefined ? {} : { token: args.token }),
    ...(args.node === undefined ? {} : { nodePath: args.node }),
    ...(args.openclaw === undefined ? {} : { openclawEntry: args.openclaw }),
    ...(args.resolveFrom === undefined ? {} : { resolveFrom: [process.cwd(), ...args.resolveFrom.map((d) => resolve(d))] }),
    skipChannels: !args.channels,
    dev: args.dev,
    logger: createDefaultLogger({ level: args.logLevel }),
    ...(observer === undefined ? {} : { inspect: (event) => observer.observe(event) }),
  });
  Object.assign(commands, supervisorCommands(supervisor));
  if (inspector) print('inspector', `inspector: ${inspector.url}`, { url: inspector.url });
  if (args.record !== undefined) print('recording', `recording the trace to ${resolve(args.record)}`, { file: resolve(args.record) });
  const closeObservers = async () => {
    await inspector?.close();
    await recorder?.close();
  };

  let prev: SupervisorStatus | undefined;
  supervisor.on('status', (status) => {
    for (const line of describeProgress(prev, status, Date.now() - t0)) print(line.kind, line.text, { status: line.status });
    prev = status;
  });

  let stopping: Promise<void> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolveStopped) => (markStopped = resolveStopped));
  const stop = (signal: string) => {
    if (stopping) return;
    print('stopping', `${signal}: stopping`);
    stopping = (async () => {
      await supervisor.stop();
      await closeObservers();
      print('stopped', 'stopped, no gateway process left');
    })().finally(markStopped);
  };
  const onSigint = () => stop('SIGINT');
  const onSigterm = () => stop('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);

  print('starting', `${mode} gateway on port ${supervisor.getStatus().port}${mode === 'attach' ? ` (${args.attach})` : ''}`);
  try {
    const running = await supervisor.start();
    for (const line of await describeGatewayAccess(running, args.attach ? undefined : resolve(args.stateDir ?? '.openclaw-state'), args.showToken)) {
      print(line.kind, line.text, line.extra);
    }
  } catch (error) {
    // The status line already said why; keep supervising unless the stop came from us.
    if (!stopping) {
      await supervisor.stop();
      await closeObservers();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      throw error;
    }
  }
  await stopped;
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  return 0;
}
