// The event contracts between adapters (which do I/O) and machines (which decide). Types only: adapters
// never import machines and machines never import adapters, so both sides import these shapes from here
// and `machine.provide()` in the runtime checks that they fit.
//
// Every signal carries the `epoch` its actor was started under; a machine drops signals from an older
// epoch (a late exit of a replaced child, a close of a replaced socket) and says so when inspected.

/** A gateway error as it travels on the wire: `{ code, message, details, retryable, retryAfterMs }`. */
export interface WireError {
  code: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** What the connection machine needs to know from `hello-ok` (the full frame stays in the adapter). */
export interface HelloSummary {
  protocol: number;
  serverVersion: string;
  bootId: string;
  connId: string;
  tickIntervalMs: number;
  maxPayload: number;
  maxBufferedBytes: number;
  /** `token`, `device-token`, ... as reported by the gateway, when it says. */
  authMethod?: string;
  role?: string;
  scopes: string[];
  methodCount: number;
}

// ---- gateway socket actor -> connection machine -------------------------------------------------------

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
  /** A frame broke the protocol; the actor closes the socket next (a `socket.closed` follows). */
  | { type: 'socket.protocolError'; epoch: number; message: string }
  /** The socket is gone (or never opened: code 1006). Always the actor's last signal. */
  | { type: 'socket.closed'; epoch: number; code: number; reason: string };

/** Sent by the connection machine to the `gatewaySocket` actor. */
export type SocketCommand = { type: 'socket.close'; code: number; reason: string };

/** Input of the `gatewaySocket` actor; everything else (url, credentials) is closed over by the runtime. */
export interface SocketActorInput {
  epoch: number;
}

// ---- gateway process actor -> gateway machine ---------------------------------------------------------

/** How an owned gateway child ended. */
export interface ProcessExit {
  pid: number;
  code: number | null;
  signal: string | null;
  /** The last stderr lines, ANSI stripped and secrets redacted. */
  stderrTail: string[];
  uptimeMs: number;
}

/** Sent back by the `gatewayProcess` actor (a fromCallback owning one child) to the gateway machine. */
export type ProcessSignal =
  | { type: 'process.spawned'; epoch: number; pid: number }
  /** The child could not be spawned at all (ENOENT, EACCES): no `process.exited` follows. */
  | { type: 'process.spawnFailed'; epoch: number; message: string }
  /** The child exited; the actor has reaped it and its spawn-broker. Always the actor's last signal. */
  | ({ type: 'process.exited'; epoch: number } & ProcessExit);

/** Sent by the gateway machine to the `gatewayProcess` actor. */
export type ProcessCommand =
  /** SIGTERM, wait `graceMs`, SIGKILL; a `process.exited` follows. */
  | { type: 'process.terminate' }
  /** In-place reload of an owned child (SIGUSR2): same PID, new bootId. */
  | { type: 'process.reload' };

export interface ProcessActorInput {
  epoch: number;
}

/** What is on the port before a managed or auto start. */
export type PortProbeResult =
  | { kind: 'free' }
  /** Something answered with `connect.challenge`: an OpenClaw gateway already listens. */
  | { kind: 'gateway' }
  /** Something listens but is not a gateway (no challenge, or not WebSocket). */
  | { kind: 'foreign'; detail: string };

// ---- connection machine -> its supervisor (the gateway machine, when it has one) ----------------------

/** What the connection machine tells the actor given as `input.supervisor` (and emits for the runtime). */
export type ConnectionNotice =
  | { type: 'connection.ready'; hello: HelloSummary }
  /** A ready connection was lost. `expected` when a `shutdown` with `restartExpectedMs` preceded it. */
  | { type: 'connection.lost'; code: number; reason: string; expected: boolean }
  /** Waiting `delayMs` before reconnect attempt `attempt` (1-based). */
  | { type: 'connection.retrying'; attempt: number; delayMs: number }
  /** Refused for a reason retrying cannot fix (auth, pairing, protocol version): no more attempts. */
  | { type: 'connection.paused'; reason: string; error?: WireError };
