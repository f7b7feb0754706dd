export { channelAccountMachine, resolveAccountSettings } from './account.machine.js';
export { createAccountImplementations, type AccountTasks, type ChannelAccountDeps } from './account.implementations.js';
export type { AccountSelf } from './account.setup.js';
export {
  classifyRemote,
  mirroredAccountMachine,
  type MirroredAccountContext,
  type MirroredAccountEvent,
  type MirroredAccountInput,
  type RemoteChannelAccount,
} from './mirror.machine.js';
export {
  selectAccountMeta,
  selectAccountStatus,
  selectMirroredAccountStatus,
  type ChannelAccountSnapshotOf,
  type ChannelAccountStatus,
} from './selectors.js';
export { accountSystemId } from './system-ids.js';
export { NO_LINK } from './link.js';
export { budgetWaitMs, chargeRestart, crashRestartDelayMs, healthVerdict, restartCurveMs, restartsInHour } from './health.js';
export {
  defaultChannelAccountSettings,
  type AccountInstanceInput,
  type AccountLink,
  type AccountTraits,
  type AccountLifecycle,
  type ChannelAccountContext,
  type ChannelAccountEmitted,
  type ChannelAccountEvent,
  type ChannelAccountInput,
  type ChannelAccountSettings,
  type ChannelAccountStateMeta,
  type ChannelHealthSettings,
  type ChannelRestartPolicy,
  type ChannelStatusPatch,
  type HealthReason,
  type ResolvedAccount,
  type TaskActorInput,
  type TaskCommand,
  type TaskSignal,
} from './types.js';
