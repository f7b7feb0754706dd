// The contract between the `gatewaySocket` actor (src/adapters/websocket) and the connection machine:
// the signals the socket sends back, the command it obeys, and its input. Types only; both sides import
// them from here and `machine.provide()` in the runtime checks that the real actor fits the placeholder.
//
// Every signal carries the `epoch` its actor was started under; the machine drops signals of an older
// epoch (the close of a replaced socket) and says so when inspected.
import type { HelloSummary, WireError } from '../protocol/index.js';

/** Sent back by the `gatewaySocket` actor (a fromCallback) to the connection machine. */
export type SocketSignal =
  /** The WebSocket opened; the gateway's `connect.challenge` is awaited next. */
  | { type: 'socket.opened'; epoch: number }
  /** `connect.challenge` arrived; the actor has sent `connect` by itself. */
  | { type: 'socket.challenge'; epoch: number }
  /** `hello-ok` arrived: the connection is ready for requests. */
  | { type: 'socket.hello'; epoch: number; hello: HelloSummary }
  /** The gateway answered `connect` with an error (auth, pairing, version, startup-sidecars ...). */
  | { type: 'socket.refused'; epoch: number; error: WireError }
  /** The gateway announced `shutdown`; `restartExpectedMs` present means it will come back. */
  | { type: 'socket.shutdown'; epoch: number; reason: string; restartExpectedMs?: number }
  /** Inbound traffic happened (throttled by the adapter): feeds the tick watchdog. */
  | { type: 'socket.activity'; epoch: number }
  /** The gateway answered our WebSocket ping (`socket.ping`): the link carries bytes both ways. */
  | { type: 'socket.pong'; epoch: number }
  /** A frame broke the protocol; the actor closes the socket next (a `socket.closed` follows). */
  | { type: 'socket.protocolError'; epoch: number; message: string }
  /** The socket is gone (or never opened: code 1006). Always the actor's last signal. */
  | { type: 'socket.closed'; epoch: number; code: number; reason: string };

/** Sent by the connection machine to the `gatewaySocket` actor. */
export type SocketCommand =
  | { type: 'socket.close'; code: number; reason: string }
  /** Send a WebSocket ping; a `socket.pong` answers it while the link is alive. */
  | { type: 'socket.ping' };

/**
 * Input of the `gatewaySocket` actor: the per-instance data. The credential travels by reference (`key`):
 * the adapter looks it up at each challenge, so no token ever sits in a snapshot the inspector streams.
 */
export interface SocketActorInput {
  epoch: number;
  /** The connection's instance key (`gateway:<name>`, a pool entry's key): what the adapter resolves credentials by. */
  key: string;
  url: string;
}
