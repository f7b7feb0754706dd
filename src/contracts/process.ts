// The contract between the process-side adapters (src/adapters/process, src/adapters/http) and the gateway
// machine: what the `gatewayProcess` actor reports and obeys, what the port probe finds, and the inputs of
// the actors the gateway machine invokes. Types only.
//
// Every signal carries the `epoch` its actor was started under; the machine drops signals of an older
// epoch (the late exit of a replaced child) and says so when inspected.

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

/** Input of every actor the gateway machine invokes: its lifecycle epoch and its instance key. */
export interface InstanceInput {
  epoch: number;
  /** The gateway's instance key (`gateway:<name>`): what the adapter resolves its spawn options by. */
  key: string;
}

export type ProcessActorInput = InstanceInput;

/** Input of the port probe and the listen wait: where the gateway listens. */
export interface EndpointInput extends InstanceInput {
  host: string;
  port: number;
}

export interface DoctorResult {
  exitCode: number;
}

/** What is on the port before a managed or auto start. */
export type PortProbeResult =
  | { kind: 'free' }
  /** Something answered with `connect.challenge`: an OpenClaw gateway already listens. */
  | { kind: 'gateway' }
  /** Something listens but is not a gateway (no challenge, or not WebSocket). */
  | { kind: 'foreign'; detail: string };
