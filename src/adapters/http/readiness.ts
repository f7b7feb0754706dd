// The gateway's HTTP health endpoints: /healthz answers 200 from listen on; /startupz and /readyz answer
// 503 until the gateway is ready, then 200 within ~100 ms of the first hello-ok (openclaw-facts). Used
// by `status` and by the HTTP fallback path when no WebSocket is open.
import { hostForUrl } from './probe-port.js';

export type ReadinessEndpoint = 'healthz' | 'readyz' | 'startupz';

export interface ReadinessOptions {
  host: string;
  port: number;
  timeoutMs?: number;
}

export interface ReadinessResult {
  /** HTTP status; 0 when no response arrived. */
  status: number;
  ok: boolean;
  /** Why there was no response (ECONNREFUSED, timeout, ...). */
  error?: string;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/** GETs one endpoint. Never rejects: an unreachable gateway is `{ status: 0, ok: false, error }`. */
export async function checkReadiness(endpoint: ReadinessEndpoint, options: ReadinessOptions): Promise<ReadinessResult> {
  const url = `http://${hostForUrl(options.host)}:${options.port}/${endpoint}`;
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      redirect: 'manual',
    });
    // Drain the body so the connection can be reused or closed cleanly.
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, ok: response.status === 200 };
  } catch (error) {
    return { status: 0, ok: false, error: describeFetchError(error) };
  }
}

/** All three endpoints at once. */
export async function checkAllReadiness(options: ReadinessOptions): Promise<Record<ReadinessEndpoint, ReadinessResult>> {
  const [healthz, readyz, startupz] = await Promise.all([
    checkReadiness('healthz', options),
    checkReadiness('readyz', options),
    checkReadiness('startupz', options),
  ]);
  return { healthz, readyz, startupz };
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'request failed';
}
