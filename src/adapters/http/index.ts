// The HTTP-side adapters: what is on a port, when it listens, and the gateway's health endpoints.
export { probePort, hostForUrl, type ProbePortOptions } from './probe-port.js';
export { waitForListening, tryConnect, type WaitListeningOptions } from './wait-listening.js';
export { checkReadiness, checkAllReadiness, type ReadinessEndpoint, type ReadinessOptions, type ReadinessResult } from './readiness.js';
