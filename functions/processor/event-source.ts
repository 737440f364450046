/**
 * The processor's Kinesis event source mapping. The CDK stack deploys these values and the
 * embedded stack's poller runs with them, so local behaviour matches the deployed one.
 */
export const PROCESSOR_EVENT_SOURCE = {
  /**
   * Records per invocation; a batch is folded into one write per aggregate item, so the more
   * events of one store a batch holds, the fewer writes per event. With the edge client's
   * partition key by store, 5,000 records and a 5 s window give a 10,500-store fleet ~3.5
   * events per store per batch and about half the DynamoDB cost of 500 records and 1 s
   * (`npm run plan`; docs/cost-and-capacity.md). Lambda also caps a batch at 6 MB of payload.
   */
  batchSize: 5_000,
  /** The dashboard's figures trail the stream by at most this (plus processing). */
  maxBatchingWindowMs: 5_000,
  startingPosition: 'TRIM_HORIZON',
  /** Split a batch whose invocation failed outright, to corner a record that crashes it. */
  bisectBatchOnFunctionError: true,
  /**
   * A failing batch is retried until its records are a week old (Lambda's maximum is 10,000
   * attempts), not skipped: poison never fails a batch (it is dead-lettered in code), so
   * what fails is transient, and skipping it would leave the aggregates short until someone
   * replays it. A shard that stays stuck shows as iterator age, which alarms after 5 minutes.
   * `npm run test:faults` found the first setting, 10 attempts, skipping batches during a 30 s
   * DynamoDB outage.
   */
  maximumRetryAttempts: 10_000,
  /** Kinesis keeps records 7 days (stream retention below); give up on older ones. */
  maximumRecordAgeMs: 7 * 86_400_000,
  reportBatchItemFailures: true,
  /** One batch per shard at a time; the commit protocol also holds under more. */
  parallelizationFactor: 1,
} as const;

/** How the event source gathers a batch: the two settings a deployment may choose. */
export interface EventSourceBatching {
  readonly batchSize: number;
  readonly maxBatchingWindowMs: number;
}

/**
 * The batching recommended for a fleet (the prod stage's default): up to 10,000 records
 * (Lambda's maximum) gathered for up to 60 s. A batch then holds a minute of each store's
 * events, so each store's items are written once a minute instead of once per 5 s batch:
 * `npm run bench:fleet` measures the write units and the freshness this gives against 5 s
 * (docs/cost-and-capacity.md, "At the fleet's shape"). Lambda's
 * 6 MB payload cap may end a batch sooner on a busy shard.
 */
export const FLEET_BATCHING: EventSourceBatching = {
  batchSize: 10_000,
  maxBatchingWindowMs: 60_000,
};

export const STREAM_RETENTION_HOURS = 168;
