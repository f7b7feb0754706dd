// The status a host sees: one plain, serializable object merged from the gateway and connection
// machines, shaped like the ClawX manager's status so existing UIs map onto it.

export type GatewayState = 'stopped' | 'starting' | 'running' | 'reconnecting' | 'stopping' | 'error';

export interface ConnectionStatus {
  state: string;
  attempt: number;
  ready: boolean;
  pauseReason?: string;
  retryInMs?: number;
  lastClose?: { code: number; reason: string; expected?: boolean };
  server?: { version: string; bootId: string; connId: string };
  /** How the last hello-ok authenticated us (`token`, `device-token`, ...), and with what role and scopes. */
  auth?: { method?: string; role?: string; scopes: string[] };
}

export interface SupervisorStatus {
  state: GatewayState;
  /** Sub-state while starting: probing, spawning, waitingReady, handshaking, repairing. */
  phase?: string;
  /** The supervisor's instance name (option `name`): its root actor's systemId is `gateway:<name>`. */
  name: string;
  mode: 'managed' | 'attach' | 'auto';
  /** True when this supervisor spawned the gateway (false when attached or adopted). */
  owned: boolean;
  url: string;
  port: number;
  pid?: number;
  epoch: number;
  crashCount: number;
  /**
   * Stalls of the link (no pong, no tick: closed 4000 and redialled) not yet forgiven by a stable stretch,
   * and the restarts of an owned child they caused (`liveness.maxStalls` in a row).
   */
  stalls?: { recent: number; restarts: number };
  connection?: ConnectionStatus;
  error?: {
    code: string;
    reason?: string;
    message: string;
    exitCode?: number | null;
    signal?: string | null;
    stderrTail?: string[];
    details?: Record<string, unknown>;
  };
  /** When this status was computed (ms since epoch). */
  at: number;
}
