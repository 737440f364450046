export { type BuiltRecord, billedKb, buildRecords } from './aggregation/record-builder.js';
export { hashKeyOf, ShardMap } from './aggregation/shard-map.js';
export * from './contract/index.js';
export { EdgeClient, type EdgeClientMetrics, type EventInput } from './core/edge-client.js';
export type { EdgeClientOptions } from './core/edge-client-options.js';
export {
  type IotCredentialsOptions,
  iotCredentialsProvider,
} from './credentials/iot-credentials-provider.js';
export * from './errors/index.js';
export * from './http/index.js';
export { createKinesisClient } from './producer/kinesis-client.js';
export { chunkForPutRecords } from './producer/kinesis-limits.js';
export {
  DiskSpool,
  type SpoolEntry,
  type SpoolOptions,
  type SpoolPosition,
  type SpoolStats,
} from './spool/disk-spool.js';
export { type BackoffOptions, backoffDelay } from './utils/backoff-delay.js';
export { listShards } from './utils/list-shards.js';
export { mapLimit } from './utils/map-limit.js';
export { sleep } from './utils/sleep.js';
export * from './wire/index.js';
