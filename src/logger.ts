// The default logger: pino with every secret path redacted. Hosts may inject their own pino-like logger;
// we still never pass a secret to it (see src/redact.ts).
import { pino, type DestinationStream } from 'pino';
import type { LoggerLike } from './config.js';
import { SECRET_LOG_PATHS } from './redact.js';

export function createDefaultLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): LoggerLike {
  const settings = {
    name: options.name ?? 'openclaw-supervisor',
    level: options.level ?? process.env.OPENCLAW_SUPERVISOR_LOG_LEVEL ?? 'warn',
    redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' },
  };
  return (options.destination ? pino(settings, options.destination) : pino(settings)) as unknown as LoggerLike;
}

/** A logger that drops everything (tests, and hosts that pass `logger: false`-like choices). */
export const silentLogger: LoggerLike = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/**
 * A child logger that is made on its first use. pino's child() serializes its bindings through the
 * redaction (a few µs each), and a supervisor makes several children on every construction: most are
 * never written to at the default level.
 */
export function lazyChild(parent: LoggerLike, bindings: Record<string, unknown>): LoggerLike {
  let made: LoggerLike | undefined;
  const child = (): LoggerLike => (made ??= parent.child(bindings));
  return {
    debug: (...args) => child().debug(...args),
    info: (...args) => child().info(...args),
    warn: (...args) => child().warn(...args),
    error: (...args) => child().error(...args),
    child: (more) => lazyChild(child(), more),
  };
}
