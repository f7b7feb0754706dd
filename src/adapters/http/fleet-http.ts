// The fleet client's HTTP fallback against the gateway's real HTTP surface (same port as the WebSocket):
// `GET /readyz` for health (200 ready, 503 not yet) and `POST /tools/invoke` with `sessions_list` and the
// Bearer token for the session roster (docs/gateway/tools-invoke-http-api.md in the package). Every answer is
// checked with zod; a 401, garbage or no answer is a typed FLEET_HTTP_FAILED naming the endpoint and reason,
// never the token.
import { z } from 'zod';
import { ErrorCodes, SupervisorError } from '../../errors.js';

export interface FleetHttpDeps {
  /** http(s) origin of the gateway, e.g. `http://127.0.0.1:18789`. */
  baseUrl: string;
  token: string | undefined;
  timeoutMs: number;
  fetchImpl?: typeof fetch;
}

export interface Readiness {
  ready: boolean;
  status: number;
  body: Record<string, unknown>;
}

const ReadyzSchema = z.looseObject({ ready: z.boolean() });
const SessionsSchema = z.looseObject({ sessions: z.array(z.looseObject({ key: z.string() })) });
const InvokeSchema = z.looseObject({
  ok: z.literal(true),
  result: z.looseObject({
    details: z.unknown().optional(),
    content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })).optional(),
  }),
});

/** The WebSocket URL's HTTP origin: ws -> http, wss -> https, path dropped. */
export function httpOriginOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

export async function fetchReadiness(deps: FleetHttpDeps): Promise<Readiness> {
  const response = await call(deps, '/readyz', { method: 'GET' });
  if (response.status !== 200 && response.status !== 503) throw httpError('/readyz', `http-${response.status}`, response.status);
  const body = ReadyzSchema.safeParse(await json(response, '/readyz'));
  if (!body.success) throw httpError('/readyz', 'bad-response', response.status);
  return { ready: body.data.ready && response.status === 200, status: response.status, body: body.data };
}

export async function invokeSessionsList(deps: FleetHttpDeps): Promise<Array<{ key: string } & Record<string, unknown>>> {
  const response = await call(deps, '/tools/invoke', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(deps.token === undefined ? {} : { authorization: `Bearer ${deps.token}` }),
    },
    body: JSON.stringify({ tool: 'sessions_list', args: {} }),
  });
  if (response.status === 401) throw httpError('/tools/invoke', 'unauthorized', 401);
  if (response.status === 429) throw httpError('/tools/invoke', 'rate-limited', 429, true);
  if (response.status !== 200) throw httpError('/tools/invoke', `http-${response.status}`, response.status);
  const body = InvokeSchema.safeParse(await json(response, '/tools/invoke'));
  if (!body.success) throw httpError('/tools/invoke', 'bad-response', 200);
  // The structured result is in `details`; older gateways give only the text content.
  const fromDetails = SessionsSchema.safeParse(body.data.result.details);
  if (fromDetails.success) return fromDetails.data.sessions;
  const text = body.data.result.content?.find((part) => part.type === 'text')?.text;
  const fromText = SessionsSchema.safeParse(text === undefined ? undefined : safeJson(text));
  if (fromText.success) return fromText.data.sessions;
  throw httpError('/tools/invoke', 'bad-response', 200);
}

async function call(deps: FleetHttpDeps, path: string, init: RequestInit): Promise<Response> {
  try {
    return await (deps.fetchImpl ?? fetch)(deps.baseUrl + path, { ...init, signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (error) {
    const timedOut = (error as { name?: unknown }).name === 'TimeoutError';
    throw httpError(path, timedOut ? 'timeout' : 'unreachable', undefined, true, error);
  }
}

async function json(response: Response, path: string): Promise<unknown> {
  const text = await response.text().catch(() => '');
  const parsed = safeJson(text);
  if (parsed === undefined) throw httpError(path, 'bad-response', response.status);
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function httpError(endpoint: string, reason: string, status: number | undefined, retryable = false, cause?: unknown): SupervisorError {
  return new SupervisorError(ErrorCodes.FLEET_HTTP_FAILED, `${endpoint}: ${reason}`, {
    retryable,
    details: { endpoint, reason, ...(status === undefined ? {} : { status }) },
    ...(cause === undefined ? {} : { cause: describeCause(cause) }),
  });
}

/** Keeps the cause's class and code, not its text (a fetch error can echo request headers). */
function describeCause(cause: unknown): { name: string; code?: string } {
  const { name, code } = (cause ?? {}) as { name?: unknown; code?: unknown };
  return { name: typeof name === 'string' ? name : 'Error', ...(typeof code === 'string' ? { code } : {}) };
}
