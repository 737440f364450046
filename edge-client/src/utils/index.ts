/**
 * Small utilities the edge client, the functions and the local stack share (`#utils`): one
 * abortable sleep, one jittered backoff, one bounded worker pool, one ListShards pager, one
 * size-bounded chunker, the phase of a store's statuses.
 */
export { type BackoffOptions, backoffDelay } from './backoff-delay.js';
export { chunkBySize } from './chunk-by-size.js';
export { parseCommandLine } from './command-line.js';
export { listShards } from './list-shards.js';
export { mapLimit } from './map-limit.js';
export { sleep } from './sleep.js';
export { atStatusPhase, isHeartbeatInstant, nextStatusAt, statusPhaseMs } from './status-phase.js';
