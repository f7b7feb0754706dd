// What travels between hosts through Redis pub/sub: a forwarded request to the key's owner, and its answer.
// Errors cross as their JSON (code, message, retryable, details) and become the same typed errors again.
import { createHash } from 'node:crypto';
import { GatewayRequestError, SupervisorError } from '../errors.js';

export interface ForwardedRequest {
  t: 'req';
  id: string;
  from: string;
  key: string;
  method: string;
  params?: unknown;
  /** What is left of the caller's deadline when the request was sent. */
  timeoutMs: number;
}

export interface ForwardedResponse {
  t: 'res';
  id: string;
  ok: boolean;
  payload?: unknown;
  error?: WireSupervisorError;
  /** The owner's fencing token for the key when it acted. */
  token?: number;
}

export interface WireSupervisorError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  details: Record<string, unknown>;
  retryAfterMs?: number;
  method?: string;
}

/** The previous owner released a key so that the preferred host (the claimer) takes it now. */
export interface HandoverNotice {
  t: 'handover';
  key: string;
  from: string;
}

export type ClusterMessage = ForwardedRequest | ForwardedResponse | HandoverNotice;

export function parseClusterMessage(text: string): ClusterMessage | undefined {
  try {
    const value = JSON.parse(text) as Partial<ClusterMessage>;
    if (value.t === 'req' && typeof value.id === 'string' && typeof (value as ForwardedRequest).method === 'string') return value as ForwardedRequest;
    if (value.t === 'res' && typeof value.id === 'string') return value as ForwardedResponse;
    const notice = value as Partial<HandoverNotice>;
    if (notice.t === 'handover' && typeof notice.key === 'string' && typeof notice.from === 'string') return notice as HandoverNotice;
  } catch {
    // Not ours: ignored.
  }
  return undefined;
}

export function errorToWire(error: unknown): WireSupervisorError {
  if (error instanceof SupervisorError) {
    return {
      name: error.name,
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      details: error.details,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error instanceof GatewayRequestError ? { method: error.method } : {}),
    };
  }
  return { name: 'SupervisorError', code: 'CONNECTION_CLOSED', message: 'the owner could not run the request', retryable: true, details: {} };
}

export function errorFromWire(wire: WireSupervisorError): SupervisorError {
  if (wire.name === 'GatewayRequestError' && wire.method !== undefined) {
    const prefix = `${wire.method}: `;
    return new GatewayRequestError(wire.method, {
      code: wire.code,
      message: wire.message.startsWith(prefix) ? wire.message.slice(prefix.length) : wire.message,
      details: wire.details,
      retryable: wire.retryable,
      ...(wire.retryAfterMs === undefined ? {} : { retryAfterMs: wire.retryAfterMs }),
    });
  }
  return new SupervisorError(wire.code, wire.message, {
    retryable: wire.retryable,
    details: wire.details,
    ...(wire.retryAfterMs === undefined ? {} : { retryAfterMs: wire.retryAfterMs }),
  });
}

/** Highest-random-weight order of hosts for a key: each key prefers its own host, and a host leaving moves only its keys. */
export function rendezvousRank(hosts: readonly string[], key: string, hostId: string): number {
  const order = [...hosts].sort((a, b) => rendezvousWeight(b, key) - rendezvousWeight(a, key) || (a < b ? -1 : 1));
  const index = order.indexOf(hostId);
  return index < 0 ? order.length : index;
}

/** A host's rendezvous weight for a key (the highest weight is the key's preferred host): the same on every host. */
export function rendezvousWeight(hostId: string, key: string): number {
  return createHash('sha256').update(`${hostId}|${key}`).digest().readUInt32BE(0);
}
