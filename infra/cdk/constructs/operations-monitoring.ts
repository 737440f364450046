import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
  Unit,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROCESSOR_METRIC_DIMENSIONS, PROCESSOR_METRICS } from '#processor';
import { METRIC_NAMESPACE } from '#shared/observability';

export interface AlarmThresholds {
  /** The processor falling behind the stream. @default 60000 */
  readonly iteratorAgeMs: number;
  /** API latency at p99. @default 2000 */
  readonly apiLatencyP99Ms: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  iteratorAgeMs: 60_000,
  apiLatencyP99Ms: 2_000,
};

export interface OperationsMonitoringProps {
  readonly processor: IFunction;
  readonly onFailureQueue: Queue;
  readonly api: HttpApi;
  readonly apiFunction: IFunction;
  readonly tables: readonly TableV2[];
  /** Who gets the alarms by e-mail (context `alarmEmail`). @default no subscription */
  readonly alarmEmail?: string;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<AlarmThresholds>;
}

/**
 * What operations watches: alarms on processor lag, errors and throttles, dead letters of
 * either kind (poison records in the dead-letter table, batches on the on-failure queue), API
 * 5xx and latency, and DynamoDB throttling, all to one encrypted SNS topic; and a dashboard.
 */
export class OperationsMonitoring extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const thresholds = { ...DEFAULT_THRESHOLDS, ...props.thresholds };
    // CloudWatch cannot publish to a topic under the AWS managed SNS key: a key of our own.
    const key = new Key(this, 'AlarmTopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the alarm topic',
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Alarms', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail !== undefined)
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const fiveMinutes = { period: Duration.minutes(5) };
    // What the processor's handler emits per batch (embedded metric format), not its log text.
    const deadLettered = new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: PROCESSOR_METRICS.recordsDeadLettered,
      dimensionsMap: PROCESSOR_METRIC_DIMENSIONS,
      unit: Unit.COUNT,
      statistic: 'Sum',
      ...fiveMinutes,
    });
    const iteratorAge = props.processor.metric('IteratorAge', {
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const errors = props.processor.metricErrors({ ...fiveMinutes, statistic: 'Sum' });
    const throttles = props.processor.metricThrottles({ ...fiveMinutes, statistic: 'Sum' });
    const onFailure = props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
      ...fiveMinutes,
      statistic: 'Maximum',
    });
    const api5xx = props.api.metricServerError({ ...fiveMinutes, statistic: 'Sum' });
    const apiLatency = props.api.metricLatency({ ...fiveMinutes, statistic: 'p99' });
    const tableThrottles = props.tables.map((t) => ({
      table: t.node.id,
      metric: new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ThrottledRequests',
        dimensionsMap: { TableName: t.tableName },
        statistic: 'Sum',
        ...fiveMinutes,
      }),
    }));

    this.alarm(
      'ProcessorIteratorAge',
      iteratorAge,
      thresholds.iteratorAgeMs,
      'Processor behind the stream',
      5,
    );
    this.alarm('ProcessorErrors', errors, 1, 'Processor invocations failed');
    this.alarm('ProcessorThrottles', throttles, 1, 'Processor invocations throttled');
    this.alarm(
      'OnFailureQueueDepth',
      onFailure,
      1,
      'Batches exhausted their retries (on-failure queue)',
    );
    this.alarm(
      'DeadLetteredRecords',
      deadLettered,
      1,
      'Records dead-lettered (see the dead-letter table)',
    );
    this.alarm('ApiServerErrors', api5xx, 1, 'Impact API answered 5xx');
    this.alarm(
      'ApiLatencyP99',
      apiLatency,
      thresholds.apiLatencyP99Ms,
      'Impact API p99 latency high',
      3,
    );
    for (const { table, metric } of tableThrottles) {
      this.alarm(`DynamoDbThrottles${table}`, metric, 1, `DynamoDB throttled requests (${table})`);
    }

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    const graph = (title: string, metrics: IMetric[]) =>
      new GraphWidget({ title, left: metrics, width: 8 });
    this.dashboard.addWidgets(
      graph('Processor iterator age (ms)', [iteratorAge]),
      graph('Processor errors and throttles', [errors, throttles]),
      graph('Dead letters', [deadLettered, onFailure]),
    );
    this.dashboard.addWidgets(
      graph('API 5xx', [api5xx]),
      graph('API latency p99 (ms)', [apiLatency]),
      graph(
        'DynamoDB throttled requests',
        tableThrottles.map((t) => t.metric),
      ),
    );
  }

  private alarm(
    id: string,
    metric: IMetric,
    threshold: number,
    description: string,
    evaluationPeriods = 1,
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
