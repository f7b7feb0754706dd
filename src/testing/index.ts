// `openclaw-supervisor/testing`: what a host needs to test against this product without a real gateway
// or a wall clock. The scripted fake gateway (protocol 4 handshake, scripted responses, events, faults),
// model-based paths over our machines (every state and transition, invoked actors faked, delays on a
// SimulatedClock), and the replay of recorded inspector traces.
export {
  startFakeGateway,
  helloOkPayload,
  type FakeGateway,
  type FakeConnection,
  type FakeAction,
  type GatewayScript,
  type ConnectAnswer,
  type RequestAnswer,
  type ReceivedRequest,
} from './fake-gateway.js';
export {
  runModelPaths,
  mergeReports,
  uncoveredEdges,
  unvisitedStates,
  resolveAfterDelayMs,
  type ModelPathOptions,
  type ModelCoverageReport,
  type PathRun,
  type PathFailure,
  type Driver,
} from './model-paths.js';
export { listMachineEdges, listStateIds, edgeKeyOf, type MachineEdge } from './machine-edges.js';
export { replayTrace, type ReplayOptions, type ReplayResult, type ReplayStep, type ReplayDivergence } from './replay-trace.js';
export { parseTrace, TRACE_VERSION, type Trace, type TraceHeader } from '../inspector/trace.js';
export type { InspectionRecord } from '../inspector/inspection-record.js';
