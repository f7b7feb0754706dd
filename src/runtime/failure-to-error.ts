// The gateway machine reports failures as plain data; hosts get SupervisorErrors with the same code.
import { SupervisorError } from '../errors.js';
import type { SupervisorStatus } from './status.js';

export function failureToError(failure: SupervisorStatus['error'], phase: string): SupervisorError {
  if (!failure) return new SupervisorError('GATEWAY_FAILED', `${phase}: the gateway failed`);
  return new SupervisorError(failure.code, `${phase}: ${failure.message}`, {
    retryable: false,
    details: {
      ...(failure.reason === undefined ? {} : { reason: failure.reason }),
      ...(failure.exitCode === undefined ? {} : { exitCode: failure.exitCode }),
      ...(failure.signal === undefined ? {} : { signal: failure.signal }),
      ...(failure.stderrTail === undefined ? {} : { stderrTail: failure.stderrTail }),
      ...(failure.details ?? {}),
    },
  });
}
