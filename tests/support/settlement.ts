// Records how a promise settled without leaving an unhandled rejection, so tests driving fake timers can
// assert on requests that are still pending, resolved or rejected.
export interface Settlement {
  value?: unknown;
  error?: unknown;
  settled: boolean;
}

export function track(promise: Promise<unknown>): Settlement {
  const state: Settlement = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error) => Object.assign(state, { error, settled: true }),
  );
  return state;
}
