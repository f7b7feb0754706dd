// If the host process exits while it owns gateways (a crash, process.exit, a test worker ending), the
// children would live on as orphans holding their ports and state dirs. One 'exit' listener for all of
// them SIGKILLs what is still registered; only synchronous work is possible there, and kill() is.

type KillNow = () => void;

const owned = new Set<KillNow>();
let listening = false;

/** Registers `killNow` to run if the host exits; returns the function that unregisters it. */
export function guardHostExit(killNow: KillNow): () => void {
  owned.add(killNow);
  if (!listening) {
    listening = true;
    process.once('exit', killAllOwned);
  }
  return () => {
    owned.delete(killNow);
    // Nothing left to guard: take the listener away too, so a stopped supervisor leaves none behind.
    if (owned.size === 0 && listening) {
      process.off('exit', killAllOwned);
      listening = false;
    }
  };
}

function killAllOwned(): void {
  for (const killNow of owned) {
    try {
      killNow();
    } catch {
      // Best effort: the host is going away.
    }
  }
  owned.clear();
}
