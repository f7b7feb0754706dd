// Account actors are scoped by channel and account id, so any number of them (and of gateways) share one
// actor system. The ids are names from config, never secrets.

export function accountSystemId(channelId: string, accountId: string): string {
  // Joined, not concatenated: `+` and template literals build a chain of rope strings (about 100 bytes an
  // account here), `join` one flat string; the actor keeps it for its life as its id and system id.
  return ['account:', channelId, '/', accountId].join('');
}
