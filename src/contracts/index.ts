// Typed contracts between adapters (which do I/O) and machines (which decide). Not wire frames (those are
// in src/protocol): shapes of actor signals, commands and inputs that both sides agree on.
export type * from './socket.js';
export type * from './process.js';
