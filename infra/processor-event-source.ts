/**
 * The processor's Kinesis event source mapping. The CDK stack deploys these values and the
 * embedded stack's poller runs with them, so local behaviour matches the deployed one.
 */
export const PROCESSOR_EVENT_SOURCE = {
  /** Records per invocation; a batch is folded into one write per aggregate item. */
  batchSize: 500,
  maxBatchingWindowMs: 1_000,
  startingPosition: 'TRIM_HORIZON',
  /** Split a batch whose invocation failed outright, to corner a record that crashes it. */
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 10,
  /** Kinesis keeps records 7 days (stream retention below); give up on older ones. */
  maximumRecordAgeMs: 7 * 86_400_000,
  reportBatchItemFailures: true,
  /** One batch per shard at a time; the commit protocol also holds under more. */
  parallelizationFactor: 1,
} as const;

export const STREAM_RETENTION_HOURS = 168;
