// If the host process ends while it owns gateways, the children would live on as orphans holding their
// ports and state dirs. signal-exit calls our hooks on every way out a hook can see: a normal exit,
// process.exit, a crash, and a fatal signal the host has no handler of its own for (SIGTERM, SIGHUP, ...),
// which a plain 'exit' listener never hears. A host that does handle the signal keeps control: its
// handler runs and the hook runs at the exit that follows. Only synchronous work is possible there, and
// kill() is.
import { onExit } from 'signal-exit';

/** Registers `killNow` to run if the host exits; returns the function that unregisters it. */
export function guardHostExit(killNow: () => void): () => void {
  // signal-exit takes its signal listeners and its process.emit patch away once the last hook is
  // removed, so a stopped supervisor leaves nothing behind on `process`.
  return onExit(() => {
    try {
      killNow();
    } catch {
      // Best effort: the host is going away, and the other hooks (and the re-raised signal) must still run.
    }
  });
}
