export * from './contract/index.js';
export * from './errors/index.js';
export { createKinesisClient } from './producer/kinesis-client.js';
export { chunkForPutRecords, KINESIS_LIMITS } from './producer/kinesis-limits.js';
export {
  encodeEvent,
  KinesisProducer,
  type KinesisProducerOptions,
  type PutReport,
} from './producer/kinesis-producer.js';
