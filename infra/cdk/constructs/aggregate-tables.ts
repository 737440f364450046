import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  Capacity,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '#shared/resources';

/** Auto scaling bounds of one capacity dimension (units per second). */
export interface AutoscaledCapacity {
  readonly min: number;
  readonly max: number;
}

/**
 * The aggregates table's capacity. Provisioned: auto scaling between `min` and `max`, tracking
 * consumed capacity at `targetUtilizationPercent`. The registry and dead-letter tables stay
 * on-demand in either mode (see `AggregateTables`).
 */
export type DynamoDbCapacity =
  | { readonly mode: 'on-demand' }
  | {
      readonly mode: 'provisioned';
      readonly write: AutoscaledCapacity;
      readonly read: AutoscaledCapacity;
      readonly targetUtilizationPercent: number;
    };

export interface AggregateTablesProps {
  /** What happens to the tables when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Refuse table deletion. @default true */
  readonly deletionProtection?: boolean;
  /**
   * The aggregates table's capacity: on-demand, or provisioned with auto scaling.
   * @default { mode: 'on-demand' }
   */
  readonly aggregatesCapacity?: DynamoDbCapacity;
}

/**
 * The pipeline's DynamoDB tables, built from the same definitions the embedded stack uses:
 * encrypted, point-in-time recovery on, time to live where the definition names its attribute
 * (the aggregates' home items, functions/domain/home-expiry.ts). The aggregates table, which every batch writes, may
 * be provisioned with auto scaling; the registry and the dead letters stay on-demand in
 * either mode: their load is too small to pay for a minimum, and comes in bursts (a batch's
 * registry lookups when its cache expires, a flood of poison records) that provisioned
 * capacity would throttle just when it matters.
 */
export class AggregateTables extends Construct {
  public readonly aggregates: TableV2;
  public readonly registry: TableV2;
  public readonly deadLetters: TableV2;
  public readonly pipelineStatus: TableV2;

  constructor(scope: Construct, id: string, props: AggregateTablesProps = {}) {
    super(scope, id);
    const build = (name: string, def: TableDefinition, billing: Billing) =>
      new TableV2(this, name, {
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        ...(def.sortKey !== undefined && {
          sortKey: { name: def.sortKey, type: AttributeType.STRING },
        }),
        billing,
        ...(def.timeToLiveAttribute !== undefined && {
          timeToLiveAttribute: def.timeToLiveAttribute,
        }),
        encryption: TableEncryptionV2.awsManagedKey(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        deletionProtection: props.deletionProtection ?? true,
      });
    this.aggregates = build(
      'Aggregates',
      TABLES.aggregates,
      billingOf(props.aggregatesCapacity ?? { mode: 'on-demand' }),
    );
    this.registry = build('Registry', TABLES.registry, Billing.onDemand());
    this.deadLetters = build('DeadLetters', TABLES.deadLetters, Billing.onDemand());
    this.pipelineStatus = build('PipelineStatus', TABLES.pipelineStatus, Billing.onDemand());
  }
}

/** A capacity setting as TableV2 billing: auto scaling tracks consumed capacity at the target. */
function billingOf(capacity: DynamoDbCapacity): Billing {
  if (capacity.mode === 'on-demand') return Billing.onDemand();
  const autoscaled = ({ min, max }: AutoscaledCapacity) =>
    Capacity.autoscaled({
      minCapacity: min,
      maxCapacity: max,
      targetUtilizationPercent: capacity.targetUtilizationPercent,
    });
  return Billing.provisioned({
    writeCapacity: autoscaled(capacity.write),
    readCapacity: autoscaled(capacity.read),
  });
}
