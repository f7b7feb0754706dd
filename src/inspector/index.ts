export { startInspector, type Inspector, type InspectorOptions, type InspectorCommand, type InspectedActor } from './inspector-server.js';
export { toInspectionRecord, sanitize, type InspectionRecord, type InspectionKind } from './inspection-record.js';
export { describeMachine, listEdges, toMermaid, type StateGraphNode } from './machine-graph.js';
export { layoutStatechart, transitionLabel, type ChartLayout, type ChartNode, type ChartEdge } from './statechart-layout.js';
export { renderStatechartSvg } from './statechart-svg.js';
export { parseTrace, traceHeader, traceLine, TRACE_VERSION, type Trace, type TraceHeader } from './trace.js';
export { channelManagerCommands, supervisorCommands } from './supervisor-commands.js';
