import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type EventSourceBatching, PROCESSOR_EVENT_SOURCE } from '#processor';
import { pipelineFunction } from './function-defaults.js';

export interface StreamProcessorProps {
  readonly stream: IStream;
  readonly aggregates: TableV2;
  readonly registry: TableV2;
  readonly deadLetters: TableV2;
  /** Each shard's last batch, for operators (functions/domain/pipeline-status.ts). */
  readonly pipelineStatus: TableV2;
  readonly logRetention: RetentionDays;
  /** For the log group and queue. */
  readonly removalPolicy: RemovalPolicy;
  /** How long the on-failure queue keeps batch metadata. */
  readonly onFailureRetention: Duration;
  /** Batch size and window; every other event-source setting is PROCESSOR_EVENT_SOURCE's. */
  readonly batching: EventSourceBatching;
  /** JSON baseline table for hours saved (see functions/domain/hours-saved.ts). @default built-in defaults */
  readonly hoursSavedBaselines?: string;
  /** The processor's UNSIGNED_RECORDS (signature-check.ts). @default 'refuse' */
  readonly unsignedRecords?: 'refuse' | 'accept';
}

/**
 * The processor Lambda on the telemetry stream: partial batch responses, bisect on error,
 * bounded retries and record age, and an encrypted SQS on-failure destination for batches
 * that exhaust them. Poison records never reach that queue: the function dead-letters them
 * itself, with their reason, in the dead-letter table.
 */
export class StreamProcessor extends Construct {
  public readonly function: NodejsFunction;
  public readonly onFailureQueue: Queue;
  public readonly logGroup: LogGroup;
  /**
   * The processor's settings beyond its tables (HOURS_SAVED_BASELINES, UNSIGNED_RECORDS, ...):
   * how it judges and folds records. The one definition: whatever else judges records as it
   * does (the ops API's replay) takes its environment from here.
   */
  public readonly settings: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: StreamProcessorProps) {
    super(scope, id);
    this.onFailureQueue = new Queue(this, 'OnFailure', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.onFailureRetention,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.onFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the Kinesis event source: it receives batch metadata (shard and sequence range) for operators; there is nothing further to dead-letter it into.',
    });
    this.settings = {
      ...(props.hoursSavedBaselines !== undefined && {
        HOURS_SAVED_BASELINES: props.hoursSavedBaselines,
      }),
      UNSIGNED_RECORDS: props.unsignedRecords ?? 'refuse',
    };
    const built = pipelineFunction(this, {
      name: 'processor',
      entry: 'functions/processor/handler.ts',
      description: 'Folds telemetry batches into exactly-once shrink and hours-saved aggregates',
      tables: [
        { name: 'aggregates', table: props.aggregates, access: 'readWrite' },
        { name: 'registry', table: props.registry, access: 'read' },
        { name: 'deadLetters', table: props.deadLetters, access: 'write' },
        { name: 'pipelineStatus', table: props.pipelineStatus, access: 'write' },
      ],
      environment: this.settings,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.function = built.fn;
    this.logGroup = built.logGroup;

    const settings = PROCESSOR_EVENT_SOURCE;
    this.function.addEventSource(
      new KinesisEventSource(props.stream, {
        startingPosition: StartingPosition[settings.startingPosition],
        batchSize: props.batching.batchSize,
        maxBatchingWindow: Duration.millis(props.batching.maxBatchingWindowMs),
        bisectBatchOnError: settings.bisectBatchOnFunctionError,
        retryAttempts: settings.maximumRetryAttempts,
        maxRecordAge: Duration.millis(settings.maximumRecordAgeMs),
        reportBatchItemFailures: settings.reportBatchItemFailures,
        parallelizationFactor: settings.parallelizationFactor,
        onFailure: new SqsDlq(this.onFailureQueue),
      }),
    );
  }
}
