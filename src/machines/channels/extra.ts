// The fields a plugin reports beyond the ones the chart acts on (`name`, `mode`, ...), copied key by key
// rather than spread: on node 20 an object built by a spread and then added to gets a hidden class of its
// own (about 250 bytes), and an account keeps its fields for its life.

/** The plugin's fields, the newer over the older. */
export function mergeExtra(older: Record<string, unknown>, newer: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key in older) setField(merged, key, older[key]);
  for (const key in newer) setField(merged, key, newer[key]);
  return merged;
}

/** Sets an own field as a spread would, `__proto__` included (an assignment would set the prototype). */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
