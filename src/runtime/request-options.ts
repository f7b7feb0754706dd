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
  try {
    parseOptions(requestArgsSchema, { method, opts }, 'request');
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}
