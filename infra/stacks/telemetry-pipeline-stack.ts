import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import { AggregateTables } from '../constructs/aggregate-tables.js';
import { ImpactApi } from '../constructs/impact-api.js';
import { StreamProcessor } from '../constructs/stream-processor.js';
import { STREAM_RETENTION_HOURS } from '../processor-event-source.js';

export interface TelemetryPipelineStackProps extends StackProps {
  /** Hours-saved baseline table as JSON (see functions/domain/hours-saved.ts). */
  readonly hoursSavedBaselines?: string;
}

/**
 * The whole pipeline: the telemetry stream, the processor that folds it into aggregates, the
 * tables, and the impact API with its user pool.
 */
export class TelemetryPipelineStack extends Stack {
  public readonly stream: Stream;
  public readonly tables: AggregateTables;
  public readonly processor: StreamProcessor;
  public readonly api: ImpactApi;

  constructor(scope: Construct, id: string, props: TelemetryPipelineStackProps = {}) {
    super(scope, id, props);
    this.stream = new Stream(this, 'TelemetryStream', {
      streamMode: StreamMode.ON_DEMAND,
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
    });
    this.tables = new AggregateTables(this, 'Tables');
    this.processor = new StreamProcessor(this, 'Processor', {
      stream: this.stream,
      aggregates: this.tables.aggregates,
      registry: this.tables.registry,
      deadLetters: this.tables.deadLetters,
      ...(props.hoursSavedBaselines !== undefined && {
        hoursSavedBaselines: props.hoursSavedBaselines,
      }),
    });
    this.api = new ImpactApi(this, 'ImpactApi', {
      aggregates: this.tables.aggregates,
      registry: this.tables.registry,
    });
    new CfnOutput(this, 'StreamName', { value: this.stream.streamName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.httpApi.apiEndpoint });
    new CfnOutput(this, 'AggregatesTable', { value: this.tables.aggregates.tableName });
    new CfnOutput(this, 'RegistryTable', { value: this.tables.registry.tableName });
    new CfnOutput(this, 'DeadLetterTable', { value: this.tables.deadLetters.tableName });
    new CfnOutput(this, 'OnFailureQueueUrl', { value: this.processor.onFailureQueue.queueUrl });
  }
}
