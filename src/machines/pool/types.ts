// Shapes of the pool machines: a pool entry (one shared connection for one gateway URL and credential) and
// the pool that spawns one entry per key.
import type { WireError } from '../../protocol/index.js';
import type { ConnectionNotice } from '../connection/types.js';
import type { BackoffPolicy } from '../policy/backoff.js';

export interface PoolEntryInput {
  /** The entry's key: canonical URL + credential fingerprint (never the credential itself). */
  key: string;
  /** The gateway's WebSocket URL (canonical). */
  url: string;
  /** Users already holding the key when the entry is (re)created (after an idle close). Default 0. */
  users?: number;
  /** How long the first `hello-ok` may take before waiting acquirers are told `unreachable`. */
  acquireTimeoutMs?: number;
  /** A ready entry with no traffic this long closes. */
  idleTimeoutMs?: number;
  /** Wait after the last release before the entry checks that it is unused and closes. */
  releaseCheckMs?: number;
  reconnect?: Partial<BackoffPolicy>;
  challengeTimeoutMs?: number;
}

export type PoolEntryCloseReason = 'released' | 'idle' | 'closed';

export interface PoolEntryContext {
  key: string;
  url: string;
  users: number;
  /** Requests sent on this entry and not yet settled. */
  pending: number;
  acquireTimeoutMs: number;
  idleTimeoutMs: number;
  releaseCheckMs: number;
  reconnect: Partial<BackoffPolicy> | undefined;
  challengeTimeoutMs: number | undefined;
  /** The gateway's refusal of `connect` that paused the entry. */
  refusal: WireError | undefined;
  pauseReason: string | undefined;
  /** Why the entry closed, once it did. */
  closeReason: PoolEntryCloseReason | undefined;
}

/** What the runtime tells an entry. */
export type PoolEntryCommand =
  | { type: 'entry.acquire' }
  | { type: 'entry.release' }
  | { type: 'entry.requestStarted' }
  | { type: 'entry.requestSettled' }
  /** Inbound traffic (an event from the gateway): keeps the entry from idling out. */
  | { type: 'entry.activity' }
  /** Try again after a refusal or an unreachable deadline (the host fixed the credential, the gateway is back). */
  | { type: 'entry.retry' }
  | { type: 'entry.close' }
  /** The deferred "is anyone still here?" check after a release; raised by the entry itself. */
  | { type: 'entry.check' };

/** The entry hears its connection child's notices through `input.supervisor`. */
export type PoolEntryEvent = PoolEntryCommand | ConnectionNotice;

/** What the entry emits for the runtime (`ref.on(...)`): acquirers waiting in `connecting` settle on these. */
export type PoolEntryEmitted =
  | { type: 'entry.ready'; key: string }
  | { type: 'entry.lost'; key: string; code: number; reason: string }
  | { type: 'entry.refused'; key: string; reason: string; error?: WireError }
  | { type: 'entry.unreachable'; key: string; timeoutMs: number }
  | { type: 'entry.closed'; key: string; reason: PoolEntryCloseReason };

/** The names a status reports. */
export type PoolEntryStateName = 'connecting' | 'ready' | 'reconnecting' | 'refused' | 'unreachable' | 'closed';

export interface PoolEntryStatusView {
  key: string;
  url: string;
  state: PoolEntryStateName;
  users: number;
  pending: number;
  pauseReason?: string;
}

export interface PoolInput {
  /** The pool's instance key: entries get the systemId `pool-entry:<name>/<key>`. */
  name: string;
}

export type PoolEvent = { type: 'pool.add'; input: PoolEntryInput } | { type: 'pool.remove'; key: string } | { type: 'pool.close' };
