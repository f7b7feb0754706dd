// The plugin's link as the account chart keeps it: connected, busy and since when. Updates return shared
// frozen objects where they can, so 10,000 accounts at rest hold one `NO_LINK`, not 10,000 copies.
import type { AccountLink, ChannelStatusPatch } from './types.js';

/** Nothing reported yet (and the state after a start). */
export const NO_LINK: AccountLink = Object.freeze({ connected: undefined, disconnectedSince: null, busy: false, busySince: null });

/** The task has ended: not busy, and disconnected if it had ever said whether it was connected. */
export function linkAfterTask(link: AccountLink): AccountLink {
  if (link.connected === undefined) return link.busy ? NO_LINK : link;
  return { connected: false, disconnectedSince: link.disconnectedSince, busy: false, busySince: null };
}

/** What a status report changes; the same object when it changes nothing. */
export function linkAfterReport(link: AccountLink, patch: ChannelStatusPatch, at: number): AccountLink {
  const { connected, busy } = patch;
  const connectedChanged = typeof connected === 'boolean' && connected !== link.connected;
  const busyChanged = typeof busy === 'boolean' && busy !== link.busy;
  if (!connectedChanged && !busyChanged) return link;
  // A literal, not a spread of `link`: on node 20 an object built by a spread and then added to gets a hidden
  // class of its own (about 250 bytes), and every account that reports keeps one.
  return {
    connected: connectedChanged ? connected : link.connected,
    // A drop starts the connect grace; staying disconnected keeps the first drop's time.
    disconnectedSince: connectedChanged && !connected ? at : link.disconnectedSince,
    busy: busyChanged ? busy : link.busy,
    busySince: busyChanged ? (busy ? at : null) : link.busySince,
  };
}

/** The link after a logout: disconnected if it had ever said whether it was connected. */
export function linkAfterLogout(link: AccountLink): AccountLink {
  if (link.connected === undefined) return link;
  return { connected: false, disconnectedSince: link.disconnectedSince, busy: link.busy, busySince: link.busySince };
}
