/**
 * List prices the cost plan uses: AWS region us-east-1 (N. Virginia), on-demand, no free tier,
 * no savings plans, in US dollars. Written down from the AWS pricing pages on `asOf`; this
 * machine cannot reach them, so check them in the AWS Pricing Calculator before relying on a
 * figure, and override any of them with `npm run plan -- --prices file.json`.
 */
export const PRICES = {
  asOf: '2026-11-29',
  region: 'us-east-1',
  sources: [
    'https://aws.amazon.com/kinesis/data-streams/pricing/',
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/dynamodb/pricing/provisioned/',
    'https://aws.amazon.com/firehose/pricing/',
    'https://aws.amazon.com/s3/pricing/',
    'https://aws.amazon.com/api-gateway/pricing/',
    'https://aws.amazon.com/cloudwatch/pricing/',
  ],
  kinesis: {
    /** On-demand: per stream-hour. */
    onDemandStreamHour: 0.04,
    /** On-demand: per GB written, each record rounded up to 1 KB. */
    onDemandIngestGb: 0.08,
    /** On-demand: per GB read by standard consumers. */
    onDemandRetrievalGb: 0.04,
    /** On-demand: retention past 24 hours and up to 7 days, per GB-month. */
    onDemandExtendedRetentionGbMonth: 0.1,
    /** Provisioned: per shard-hour. */
    shardHour: 0.015,
    /** Provisioned: per million PUT payload units (25 KB chunks of a record). */
    putPayloadUnitsMillion: 0.014,
    /** Provisioned: retention past 24 hours, per shard-hour. */
    extendedRetentionShardHour: 0.02,
  },
  lambda: {
    /** Arm64, per GB-second. */
    gbSecondArm: 0.0000133334,
    requestsMillion: 0.2,
  },
  dynamodb: {
    /** On-demand, per million write request units (1 KB each). */
    writeRequestUnitsMillion: 0.625,
    /** On-demand, per million read request units (4 KB strongly consistent, or 2 x 4 KB eventually). */
    readRequestUnitsMillion: 0.125,
    /** Provisioned, per write capacity unit-hour (one 1 KB write a second for an hour). */
    writeCapacityUnitHour: 0.00065,
    /** Provisioned, per read capacity unit-hour (one 4 KB strongly consistent read a second). */
    readCapacityUnitHour: 0.00013,
    storageGbMonth: 0.25,
    pointInTimeRecoveryGbMonth: 0.2,
  },
  firehose: {
    /** Per GB ingested, each record rounded up to 5 KB. */
    ingestGb: 0.029,
  },
  s3: {
    standardGbMonth: 0.023,
    glacierInstantRetrievalGbMonth: 0.004,
    putRequestsThousand: 0.005,
  },
  apiGateway: {
    /** HTTP API, per million requests (first 300 million). */
    httpRequestsMillion: 1.0,
  },
  cloudwatch: {
    logsIngestGb: 0.5,
  },
};

export type Prices = typeof PRICES;
