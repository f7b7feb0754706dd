// The definition's transitions and their keys live in src/testing (shared with hosts' model tests).
export * from '../../../src/testing/machine-edges.js';
