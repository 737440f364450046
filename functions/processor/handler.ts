import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { DynamoDbShardStatus, dynamodb } from '#adapters';
import { parseEvent } from '#shared/middleware/parse-event';
import { createLogger, createMetrics, loggerPort } from '#shared/observability';
import { loadProcessorConfig } from './config.js';
import { processorDeps } from './deps.js';
import { KinesisBatchEvent, toStreamRecords } from './kinesis-event.js';
import { PROCESSOR_METRICS, PROCESSOR_SERVICE } from './metrics.js';
import { processBatch } from './process-batch.js';

const config = loadProcessorConfig();
const logger = createLogger(PROCESSOR_SERVICE);
const metrics = createMetrics(PROCESSOR_SERVICE);
const deps = {
  ...processorDeps(dynamodb, config, loggerPort(logger)),
  ...(config.pipelineStatusTable !== undefined && {
    status: new DynamoDbShardStatus(dynamodb, config.pipelineStatusTable),
  }),
};

async function processKinesisBatch(event: KinesisBatchEvent): Promise<KinesisStreamBatchResponse> {
  const result = await processBatch(toStreamRecords(event), deps);
  logger.info('batch processed', { ...result.stats });
  const s = result.stats;
  metrics.addMetric(PROCESSOR_METRICS.eventsCounted, MetricUnit.Count, s.counted);
  metrics.addMetric(PROCESSOR_METRICS.duplicatesDropped, MetricUnit.Count, s.duplicates);
  metrics.addMetric(PROCESSOR_METRICS.recordsDeadLettered, MetricUnit.Count, s.deadLettered);
  metrics.addMetric(PROCESSOR_METRICS.recordsFailed, MetricUnit.Count, s.failedRecords);
  metrics.addMetric(PROCESSOR_METRICS.recordsDeferred, MetricUnit.Count, s.deferred);
  metrics.addMetric(PROCESSOR_METRICS.unsignedRecords, MetricUnit.Count, s.unsignedAccepted);
  metrics.addMetric(
    PROCESSOR_METRICS.aggregateWrites,
    MetricUnit.Count,
    s.homeWrites + s.summaryWrites + s.rollupWrites + s.rollupRepairs + s.totalsWrites,
  );
  metrics.addMetric(PROCESSOR_METRICS.writeConflicts, MetricUnit.Count, s.conflicts);
  if (s.statuses > 0) {
    metrics.addMetric(PROCESSOR_METRICS.devicesBacklogged, MetricUnit.Count, s.devicesBacklogged);
    metrics.addMetric(PROCESSOR_METRICS.deviceClockSkew, MetricUnit.Seconds, s.maxClockSkewSeconds);
  }
  return {
    batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })),
  };
}

/** Kinesis event source handler; reports failures as a partial batch response. */
export const handler = middy<KinesisBatchEvent, KinesisStreamBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .use(parseEvent(KinesisBatchEvent))
  .handler(processKinesisBatch);
