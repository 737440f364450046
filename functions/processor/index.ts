/**
 * The processor's face (`#processor`): what the rest of the system may use of it. The Lambda
 * entry is `handler.ts` (the CDK app bundles it by path; the local stack loads it with
 * `loadProcessorHandler` once its environment is set).
 */

export { loadProcessorConfig } from './config.js';
export { type ProcessorConfigValues, processorDeps } from './deps.js';
export {
  type EventSourceBatching,
  FLEET_BATCHING,
  PROCESSOR_EVENT_SOURCE,
  STREAM_RETENTION_HOURS,
} from './event-source.js';
export { KinesisBatchEvent, toStreamRecords } from './kinesis-event.js';
export { PROCESSOR_METRIC_DIMENSIONS, PROCESSOR_METRICS } from './metrics.js';
export {
  type BatchResult,
  type ProcessorDeps,
  processBatch,
  type RawStreamRecord,
  type StreamRecord,
} from './process-batch.js';

/** The Lambda handler, imported on demand: it reads its configuration when it loads. */
export const loadProcessorHandler = async () => (await import('./handler.js')).handler;
