// Protocol versions this client speaks. The gateway negotiates inside [MIN, MAX]; protocol 4 is the only
// version the measured gateway accepts from operator clients (openclaw-facts: [3,3] and [5,5] are refused).

/** The protocol version we implement. */
export const PROTOCOL_VERSION = 4;
/** Lowest version we announce in `connect.minProtocol`. */
export const MIN_PROTOCOL_VERSION = 4;
/** Highest version we announce in `connect.maxProtocol`. */
export const MAX_PROTOCOL_VERSION = 4;

/** True when a `hello-ok.protocol` falls inside the range we announced. */
export function isSupportedProtocol(version: number): boolean {
  return Number.isInteger(version) && version >= MIN_PROTOCOL_VERSION && version <= MAX_PROTOCOL_VERSION;
}
