export { startInspector, type Inspector, type InspectorOptions } from './inspector-server.js';
export { toInspectionRecord, sanitize, type InspectionRecord, type InspectionKind } from './inspection-record.js';
export { describeMachine, listEdges, toMermaid, type StateGraphNode } from './machine-graph.js';
