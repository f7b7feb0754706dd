// Pure decision functions shared by the machines: no state, no clock, no I/O.
export * from './backoff.js';
export * from './close-codes.js';
export * from './crash-backoff.js';
export * from './exit-codes.js';
export * from './refusals.js';
