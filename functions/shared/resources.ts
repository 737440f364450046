/**
 * The one definition of the stack's data resources: names used by the embedded stack, the
 * environment variables through which deployed functions learn the real names, and the key
 * schemas. The CDK stack and `infra/local/` both build their tables from this module.
 */

export interface TableDefinition {
  /** Table name on the embedded stack; in AWS, CloudFormation names the table. */
  readonly localName: string;
  /** Environment variable that carries the table name to a function. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** The attribute DynamoDB's time to live deletes items by (epoch seconds), if any. */
  readonly timeToLiveAttribute?: string;
}

export const TABLES = {
  aggregates: {
    localName: 'impact-aggregates',
    envVar: 'AGGREGATES_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    // Only home items carry it (functions/domain/home-expiry.ts).
    timeToLiveAttribute: 'expiresAt',
  },
  registry: { localName: 'device-registry', envVar: 'REGISTRY_TABLE', partitionKey: 'pk' },
  deadLetters: {
    localName: 'dead-letters',
    envVar: 'DEAD_LETTER_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
  },
  /** What operators read of the pipeline itself: each shard's last batch (pipeline-status.ts). */
  pipelineStatus: {
    localName: 'pipeline-status',
    envVar: 'PIPELINE_STATUS_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
  },
} as const satisfies Record<string, TableDefinition>;

export const TELEMETRY_STREAM = {
  localName: 'store-telemetry',
  envVar: 'TELEMETRY_STREAM',
} as const;

/** Local endpoints (README, "Local endpoints"); each can be overridden by its env variable. */
export const LOCAL_PORTS = { api: 3000, kinesis: 4567, dynamodb: 8000 } as const;
