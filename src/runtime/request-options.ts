// Validation of request() arguments: a bad method name or timeout is a ConfigError that names it,
// returned (not thrown) so request() always settles through its promise.
import { z } from 'zod';
import { parseOptions } from '../config.js';
import { ConfigError } from '../errors.js';

const requestArgsSchema = z
  .object({
    method: z.string().min(1).max(200),
    opts: z.object({ timeoutMs: z.number().int().positive().max(2_147_483_647).optional() }).strict().optional(),
  })
  .strict();

export function validateRequest(method: unknown, opts: unknown): ConfigError | undefined {
  // request() is a hot path (thousands of calls a second): accept well-formed arguments without building a
  // zod parse; anything else goes through the schema for its field-naming message.
  if (typeof method === 'string' && method.length > 0 && method.length <= 200 && isPlainOptions(opts)) return undefined;
  try {
    parseOptions(requestArgsSchema, { method, opts }, 'request');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function isPlainOptions(opts: unknown): boolean {
  if (opts === undefined) return true;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) return false;
  for (const key in opts) if (key !== 'timeoutMs') return false;
  const timeoutMs = (opts as { timeoutMs?: unknown }).timeoutMs;
  return timeoutMs === undefined || (Number.isInteger(timeoutMs) && (timeoutMs as number) > 0 && (timeoutMs as number) <= 2_147_483_647);
}
