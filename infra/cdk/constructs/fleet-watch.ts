import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Metric, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  COVERAGE_PARTITION,
  FLEET_WATCH_EVERY_MINUTES,
  FLEET_WATCH_METRIC_DIMENSIONS,
  FLEET_WATCH_METRICS,
} from '#fleet-watch';
import { METRIC_NAMESPACE } from '#shared/observability';
import { TABLES } from '#shared/resources';
import { pipelineFunction } from './function-defaults.js';

export interface FleetWatchProps {
  /** The aggregates table, whose coverage partition the watch reads (and nothing else of it). */
  readonly aggregates: ITableV2;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The fleet watch: a function the schedule runs every FLEET_WATCH_EVERY_MINUTES, which reads
 * the stores' coverage summaries and emits how many stores are silent during their open hours
 * (a silent store sends nothing, so no processor invocation can tell). Its role may Query the
 * aggregates table only where the partition key is the coverage partition
 * (`dynamodb:LeadingKeys`), and do nothing else with it. A failed run is not retried: the next
 * one is minutes away, and a run that emits nothing counts against the alarm (`silentStores`).
 */
export class FleetWatch extends Construct {
  public readonly function: NodejsFunction;
  public readonly schedule: Rule;
  /** Stores silent during open hours, the largest count of a period (the alarm's metric). */
  public readonly silentStores: Metric;
  /** Stores registered, never heard from, open now (graphed, not alarmed). */
  public readonly storesNeverHeard: Metric;

  constructor(scope: Construct, id: string, props: FleetWatchProps) {
    super(scope, id);
    this.function = pipelineFunction(this, {
      name: 'fleet-watch',
      entry: 'functions/fleet-watch/handler.ts',
      description:
        'Every 5 minutes: counts the stores silent during their open hours from their coverage summaries',
      environment: { [TABLES.aggregates.envVar]: props.aggregates.tableName },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    }).fn;
    Grant.addToPrincipal({
      grantee: this.function,
      actions: ['dynamodb:Query'],
      resourceArns: [props.aggregates.tableArn],
      conditions: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [COVERAGE_PARTITION] },
      },
    });
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(5) });
    const every = Duration.minutes(FLEET_WATCH_EVERY_MINUTES);
    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the fleet watch',
      schedule: Schedule.rate(every),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: every })],
    });
    const metric = (metricName: string) =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: FLEET_WATCH_METRIC_DIMENSIONS,
        unit: Unit.COUNT,
        // One run a period; if two land in one, the larger count (never their sum).
        statistic: 'Maximum',
        period: every,
      });
    this.silentStores = metric(FLEET_WATCH_METRICS.silentStores);
    this.storesNeverHeard = metric(FLEET_WATCH_METRICS.storesNeverHeard);
  }
}
