// What ws hands us: message data in one of three shapes, and receiver errors whose close code ws keeps
// private.
import { Buffer } from 'node:buffer';
import type WebSocket from 'ws';
import { ClientCloseCodes } from '../../protocol/index.js';

export function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The close code ws sends for a frame its receiver rejects (see ws/lib/receiver.js). */
export function receiverCloseCode(wsErrorCode: string): number {
  if (wsErrorCode === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return ClientCloseCodes.MESSAGE_TOO_BIG;
  if (wsErrorCode === 'WS_ERR_INVALID_UTF8') return 1007;
  return 1002;
}
