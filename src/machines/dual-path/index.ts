export { dualPathMachine, type DualPathMachine } from './dual-path.machine.js';
export { createDualPathImplementations, type DualPathDeps } from './dual-path.implementations.js';
export { selectDualPathStatus, selectFleetPath } from './selectors.js';
export type {
  DualPathCommand,
  DualPathContext,
  DualPathEmitted,
  DualPathEvent,
  DualPathInput,
  DualPathStatusView,
  FleetPathName,
  PathFailure,
  PollInput,
  SyncInput,
} from './types.js';

/** The systemId of a fleet client's path actor. */
export function fleetSystemId(name: string): string {
  return `fleet:${name}`;
}
