// Account actors are scoped by channel and account id, so any number of them (and of gateways) share one
// actor system. The ids are names from config, never secrets.

export function accountSystemId(channelId: string, accountId: string): string {
  return `account:${channelId}/${accountId}`;
}
