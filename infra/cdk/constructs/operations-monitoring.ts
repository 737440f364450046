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
import { DEFAULT_EVENT_TIME_RULES } from '#domain/event-time';
import { PROCESSOR_METRIC_DIMENSIONS, PROCESSOR_METRICS } from '#processor';
import { METRIC_NAMESPACE } from '#shared/observability';

export interface AlarmThresholds {
  /** The processor falling behind the stream. @default 60000 */
  readonly iteratorAgeMs: number;
  /** API latency at p99. @default 2000 */
  readonly apiLatencyP99Ms: number;
  /**
   * Device statuses in 5 minutes from devices holding events unsent for over 5 minutes, three
   * periods in a row: a backlog across the fleet (an uplink, a region, the stream). @default 50
   */
  readonly backloggedDevices: number;
  /**
   * A device clock this far off the stream's, either way: the processor refuses events more
   * than the skew tolerance ahead. @default the tolerance (900 s)
   */
  readonly clockSkewSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  iteratorAgeMs: 60_000,
  apiLatencyP99Ms: 2_000,
  backloggedDevices: 50,
  clockSkewSeconds: DEFAULT_EVENT_TIME_RULES.futureToleranceMs / 1000,
};

export interface OperationsMonitoringProps {
  readonly processor: IFunction;
  readonly onFailureQueue: Queue;
  readonly api: HttpApi;
  readonly apiFunction: IFunction;
  readonly tables: readonly TableV2[];
  /**
   * The fleet watch's metrics (`FleetWatch.silentStores`, `storesNeverHeard`): stores silent
   * during their open hours, and stores never heard from that are open.
   */
  readonly fleetWatch: { readonly silentStores: IMetric; readonly storesNeverHeard: IMetric };
  /** Who gets the alarms by e-mail (context `alarmEmail`). @default no subscription */
  readonly alarmEmail?: string;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<AlarmThresholds>;
}

/**
 * What operations watches: alarms on processor lag, errors and throttles, dead letters of
 * either kind (poison records in the dead-letter table, batches on the on-failure queue), the
 * fleet (backlog, clock skew, stores silent during their open hours), API 5xx and latency, and
 * DynamoDB throttling, all to one encrypted SNS topic; and a dashboard.
 */
export class OperationsMonitoring extends Construct {
  public readonly topic: Topic;
  public readonly alarms: Alarm[] = [];
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    const thresholds = { ...DEFAULT_THRESHOLDS, ...props.thresholds };
    this.topic = alarmTopic(this, props.alarmEmail);
    const metrics = watchedMetrics(props);
    this.addAlarms(metrics, thresholds);
    this.dashboard = operationsDashboard(this, metrics);
  }

  /** One alarm per watched metric, in the order operations reads them. */
  private addAlarms(metrics: WatchedMetrics, thresholds: AlarmThresholds): void {
    this.alarm(
      'ProcessorIteratorAge',
      metrics.iteratorAge,
      thresholds.iteratorAgeMs,
      'Processor behind the stream',
      5,
    );
    this.alarm('ProcessorErrors', metrics.errors, 1, 'Processor invocations failed');
    this.alarm('ProcessorThrottles', metrics.throttles, 1, 'Processor invocations throttled');
    this.alarm(
      'OnFailureQueueDepth',
      metrics.onFailure,
      1,
      'Batches exhausted their retries (on-failure queue)',
    );
    this.alarm(
      'DeadLetteredRecords',
      metrics.deadLettered,
      1,
      'Records dead-lettered (see the dead-letter table)',
    );
    this.alarm(
      'UnsignedRecordsCounted',
      metrics.unsignedCounted,
      1,
      'Unsigned records counted (UNSIGNED_RECORDS=accept: a migration window is open)',
    );
    this.alarm(
      'FleetBacklog',
      metrics.devicesBacklogged,
      thresholds.backloggedDevices,
      'Devices across the fleet hold events unsent for over 5 minutes (GET /v1/fleet/health)',
      3,
    );
    this.alarm(
      'DeviceClockSkew',
      metrics.deviceClockSkew,
      thresholds.clockSkewSeconds,
      "A device clock is off the stream's by the skew tolerance: its events are refused as clock_skew (GET /v1/fleet/health)",
    );
    // A watch that stops running (a failed read, a broken deploy, a disabled schedule) emits
    // nothing: missing data breaches, so the alarm never shows a fleet it cannot see as healthy.
    this.alarm(
      'SilentStoreDuringOpenHours',
      metrics.silentStores,
      1,
      'A store heard from before sent no status for 30 minutes of its open hours, two runs in a row, or the fleet watch did not run (GET /v1/fleet/health; npm run fleet-watch)',
      2,
      TreatMissingData.BREACHING,
    );
    this.alarm('ApiServerErrors', metrics.api5xx, 1, 'Impact API answered 5xx');
    this.alarm(
      'ApiLatencyP99',
      metrics.apiLatency,
      thresholds.apiLatencyP99Ms,
      'Impact API p99 latency high',
      3,
    );
    for (const { table, metric } of metrics.tableThrottles) {
      this.alarm(`DynamoDbThrottles${table}`, metric, 1, `DynamoDB throttled requests (${table})`);
    }
  }

  private alarm(
    id: string,
    metric: IMetric,
    threshold: number,
    description: string,
    evaluationPeriods = 1,
    treatMissingData = TreatMissingData.NOT_BREACHING,
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** What the alarms and the dashboard watch. */
interface WatchedMetrics {
  readonly iteratorAge: IMetric;
  readonly errors: IMetric;
  readonly throttles: IMetric;
  readonly onFailure: IMetric;
  readonly deadLettered: IMetric;
  readonly unsignedCounted: IMetric;
  readonly devicesBacklogged: IMetric;
  readonly deviceClockSkew: IMetric;
  readonly silentStores: IMetric;
  readonly storesNeverHeard: IMetric;
  readonly api5xx: IMetric;
  readonly apiLatency: IMetric;
  /** Per table, by its construct id. */
  readonly tableThrottles: readonly { readonly table: string; readonly metric: IMetric }[];
}

/** The alarms' SNS topic, under a key of its own, with the e-mail subscription if one is given. */
function alarmTopic(scope: Construct, alarmEmail: string | undefined): Topic {
  // CloudWatch cannot publish to a topic under the AWS managed SNS key: a key of our own.
  const key = new Key(scope, 'AlarmTopicKey', {
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
  const topic = new Topic(scope, 'Alarms', { masterKey: key, enforceSSL: true });
  if (alarmEmail !== undefined) topic.addSubscription(new EmailSubscription(alarmEmail));
  return topic;
}

/** The processor's, the queue's, the API's and the tables' metrics, over 5 minutes (lag: 1). */
function watchedMetrics(props: OperationsMonitoringProps): WatchedMetrics {
  const fiveMinutes = { period: Duration.minutes(5) };
  return {
    // What the processor's handler emits per batch (embedded metric format), not its log text.
    deadLettered: new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: PROCESSOR_METRICS.recordsDeadLettered,
      dimensionsMap: PROCESSOR_METRIC_DIMENSIONS,
      unit: Unit.COUNT,
      statistic: 'Sum',
      ...fiveMinutes,
    }),
    unsignedCounted: new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: PROCESSOR_METRICS.unsignedRecords,
      dimensionsMap: PROCESSOR_METRIC_DIMENSIONS,
      unit: Unit.COUNT,
      statistic: 'Sum',
      ...fiveMinutes,
    }),
    devicesBacklogged: new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: PROCESSOR_METRICS.devicesBacklogged,
      dimensionsMap: PROCESSOR_METRIC_DIMENSIONS,
      unit: Unit.COUNT,
      statistic: 'Sum',
      ...fiveMinutes,
    }),
    deviceClockSkew: new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: PROCESSOR_METRICS.deviceClockSkew,
      dimensionsMap: PROCESSOR_METRIC_DIMENSIONS,
      unit: Unit.SECONDS,
      statistic: 'Maximum',
      ...fiveMinutes,
    }),
    // What the fleet watch emits per run, as its construct selects it.
    silentStores: props.fleetWatch.silentStores,
    storesNeverHeard: props.fleetWatch.storesNeverHeard,
    iteratorAge: props.processor.metric('IteratorAge', {
      statistic: 'Maximum',
      period: Duration.minutes(1),
    }),
    errors: props.processor.metricErrors({ ...fiveMinutes, statistic: 'Sum' }),
    throttles: props.processor.metricThrottles({ ...fiveMinutes, statistic: 'Sum' }),
    onFailure: props.onFailureQueue.metricApproximateNumberOfMessagesVisible({
      ...fiveMinutes,
      statistic: 'Maximum',
    }),
    api5xx: props.api.metricServerError({ ...fiveMinutes, statistic: 'Sum' }),
    apiLatency: props.api.metricLatency({ ...fiveMinutes, statistic: 'p99' }),
    tableThrottles: props.tables.map((t) => ({
      table: t.node.id,
      metric: new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ThrottledRequests',
        dimensionsMap: { TableName: t.tableName },
        statistic: 'Sum',
        ...fiveMinutes,
      }),
    })),
  };
}

/**
 * Two rows of three graphs: the processor and its dead letters, then the API and the tables;
 * then the fleet: stores silent in their open hours and never heard from.
 */
function operationsDashboard(scope: Construct, metrics: WatchedMetrics): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(6) });
  const graph = (title: string, shown: IMetric[]) =>
    new GraphWidget({ title, left: shown, width: 8 });
  dashboard.addWidgets(
    graph('Processor iterator age (ms)', [metrics.iteratorAge]),
    graph('Processor errors and throttles', [metrics.errors, metrics.throttles]),
    graph('Dead letters', [metrics.deadLettered, metrics.onFailure]),
  );
  dashboard.addWidgets(
    graph('API 5xx', [metrics.api5xx]),
    graph('API latency p99 (ms)', [metrics.apiLatency]),
    graph(
      'DynamoDB throttled requests',
      metrics.tableThrottles.map((t) => t.metric),
    ),
  );
  dashboard.addWidgets(
    graph('Stores silent in open hours, never heard from (fleet watch)', [
      metrics.silentStores,
      metrics.storesNeverHeard,
    ]),
  );
  return dashboard;
}
