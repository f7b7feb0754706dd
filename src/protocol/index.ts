// The wire protocol as pure data: versions, frames, handshake builders, hello-ok.
export * from './version.js';
export * from './frames.js';
export * from './handshake.js';
export * from './hello.js';
