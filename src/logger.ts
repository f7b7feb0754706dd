// The default logger: pino with every secret path redacted. Hosts may inject their own pino-like logger;
// we still never pass a secret to it (see src/redact.ts).
import { pino } from 'pino';
import type { LoggerLike } from './config.js';
import { SECRET_LOG_PATHS } from './redact.js';

export function createDefaultLogger(options: { level?: string; name?: string } = {}): LoggerLike {
  return pino({
    name: options.name ?? 'openclaw-supervisor',
    level: options.level ?? process.env.OPENCLAW_SUPERVISOR_LOG_LEVEL ?? 'warn',
    redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' },
  }) as unknown as LoggerLike;
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
