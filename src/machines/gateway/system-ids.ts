// System ids are scoped to the gateway's instance key, so many gateways (and their refresh children) live in
// one actor system without clashing. Everything else is reached through its parent's refs.

/** The gateway machine's own system id, given by whoever creates or spawns it. */
export function gatewaySystemId(key: string): string {
  return `gateway:${key}`;
}

/** The refresh child's system id. */
export function refreshSystemId(key: string): string {
  return `refresh:${key}`;
}
