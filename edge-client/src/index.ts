export {
  type BuiltRecord,
  billedKb,
  billingCutDue,
  buildRecords,
} from './aggregation/record-builder.js';
export { hashKeyOf, ShardMap } from './aggregation/shard-map.js';
export { type Daemon, type DaemonIo, startDaemon } from './cli/daemon.js';
export {
  DaemonConfig,
  DEVICE_STATUS_HEARTBEAT_MS,
  DEVICE_STATUS_INTERVAL_MS,
  loadDaemonConfig,
} from './cli/daemon-config.js';
export {
  GATEWAY_HTTP_LIMITS,
  type GatewayListener,
  type GatewayListenerOptions,
  listenGateway,
} from './cli/gateway-server.js';
export { DAEMON_VERSION } from './cli/version.js';
export * from './contract/index.js';
export {
  EdgeClient,
  type EdgeClientMetrics,
  type EventInput,
  partitionKeyOf,
  type StatusMemory,
} from './core/edge-client.js';
export type { EdgeClientOptions } from './core/edge-client-options.js';
export {
  type IotCredentialsOptions,
  iotCredentialsProvider,
} from './credentials/iot-credentials-provider.js';
export {
  type LaneCredential,
  LaneCredentials,
  MIN_TOKEN_LENGTH,
  readLaneToken,
  readSecretFile,
  SecretFileError,
  SecretFileModeError,
  sha256Hex,
} from './credentials/lane-credentials.js';
export { GATEWAY_LIMITS, GATEWAY_LINGER_MS } from './delivery/gateway-limits.js';
export { GatewayDeliveryError, type GatewayUpstreamOptions } from './delivery/gateway-sink.js';
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
export * from './utils/index.js';
export * from './wire/index.js';
