// The process-side adapters: find a runtime and openclaw, run a gateway child in a private state dir,
// end it and everything it started, and repair its config with doctor.
export { createGatewayProcessLogic, type GatewayProcessDeps } from './gateway-process.js';
export {
  spawnGateway,
  buildGatewayArgv,
  type GatewayChild,
  type GatewayExit,
  type GatewaySpawnOptions,
  type ProcessLogger,
} from './spawn-gateway.js';
export { terminateProcessTree, signalUntilExit, waitForExit, DEFAULT_ORPHAN_GRACE_MS, type ExitStatus, type TerminateOptions } from './terminate.js';
export { runDoctorRepair, type DoctorRepairOptions, type DoctorRepairResult } from './doctor.js';
export {
  resolveNodeRuntime,
  resolveOpenclawEntry,
  satisfiesGatewayEngines,
  probeNodeVersion,
  findPackageDir,
  GATEWAY_NODE_RANGE,
  type NodeRuntime,
  type OpenclawEntry,
  type ResolveNodeRuntimeOptions,
} from './resolve-runtime.js';
export { buildEmbeddingEnv, prepareStateDir, gatewayPaths, CHILD_MARKER_ENV, type EmbeddingEnvOptions, type GatewayPaths } from './embedding-env.js';
export { DescendantTracker, type ReapResult } from './descendant-tracker.js';
export { RingBuffer } from './ring-buffer.js';
