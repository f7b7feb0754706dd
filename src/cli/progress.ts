// Turns a stream of status snapshots into the lines `run` prints: the startup phases as they happen
// (spawned, listening, challenge, ready) with elapsed time, then each later change. Pure, so the exact
// wording is unit tested without a gateway.
import type { SupervisorStatus } from '../runtime/status.js';

export interface ProgressLine {
  /** Stable machine-readable name: spawned, listening, challenge, ready, status, error ... */
  kind: string;
  elapsedMs: number;
  text: string;
  status: SupervisorStatus;
}

export function describeProgress(prev: SupervisorStatus | undefined, next: SupervisorStatus, elapsedMs: number): ProgressLine[] {
  const out: ProgressLine[] = [];
  const push = (kind: string, text: string) => out.push({ kind, elapsedMs, text, status: next });

  if (next.pid !== undefined && next.pid !== prev?.pid) push('spawned', `spawned gateway pid ${next.pid}`);
  if (prev?.phase === 'waitingReady' && next.phase !== 'waitingReady' && next.state === 'starting')
    push('listening', `listening on port ${next.port}`);
  const c = next.connection?.state;
  const pc = prev?.connection?.state;
  if (c === 'connecting' && pc !== 'connecting') push('challenge', 'connect.challenge received, connecting');
  if (next.state === 'running' && prev?.state !== 'running') {
    const server = next.connection?.server;
    push('ready', `ready${server ? `: gateway ${server.version}, bootId ${server.bootId}` : ''}`);
  }
  if (next.state !== prev?.state && next.state !== 'running') {
    const detail = next.error ? ` ${next.error.code}${next.error.reason ? ` (${next.error.reason})` : ''}: ${next.error.message}` : '';
    push(next.state === 'error' ? 'error' : 'state', `${next.state}${next.phase ? ` (${next.phase})` : ''}${detail}`);
  } else if (next.state === 'starting' && next.phase !== prev?.phase && next.phase) {
    push('phase', `starting: ${next.phase}`);
  }
  if (next.connection?.pauseReason && next.connection.pauseReason !== prev?.connection?.pauseReason) {
    push('paused', `connection paused: ${next.connection.pauseReason}`);
  }
  if (next.connection?.retryInMs !== undefined && c === 'backoff' && pc !== 'backoff') {
    const close = next.connection.lastClose;
    const why = close ? ` after close ${close.code}${close.reason ? ` "${close.reason}"` : ''}` : '';
    const attempt = next.connection.attempt > 0 ? `, attempt ${next.connection.attempt}` : '';
    push('retrying', `connecting again in ${next.connection.retryInMs} ms${why}${attempt}`);
  }
  if (next.crashCount > (prev?.crashCount ?? 0)) push('crash', `gateway crashed (${next.crashCount} in a row)`);
  return out;
}

export function formatElapsed(ms: number): string {
  return `+${(ms / 1000).toFixed(1)}s`;
}
