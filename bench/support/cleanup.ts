// What must be undone if the bench is interrupted: every gateway or supervisor started and not yet
// stopped registers its stop here, so Ctrl-C stops them by PID instead of leaving them running.
const pending = new Set<() => Promise<unknown>>();

/** Registers `stop`; call the returned function once it has run normally. */
export function registerCleanup(stop: () => Promise<unknown>): () => void {
  pending.add(stop);
  return () => pending.delete(stop);
}

/** Runs every registered stop at once, tolerating failures. */
export async function runCleanups(): Promise<number> {
  const stops = [...pending];
  pending.clear();
  await Promise.allSettled(stops.map((stop) => stop()));
  return stops.length;
}
