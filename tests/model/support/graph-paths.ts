// Model-path helpers live in src/testing (`openclaw-supervisor/testing`): one copy for these tests and hosts'.
export * from '../../../src/testing/model-paths.js';
