import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '#shared/resources';

export interface AggregateTablesProps {
  /** What happens to the tables when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Refuse table deletion. @default true */
  readonly deletionProtection?: boolean;
}

/**
 * The pipeline's DynamoDB tables, built from the same definitions the embedded stack uses:
 * on-demand, encrypted, point-in-time recovery on.
 */
export class AggregateTables extends Construct {
  public readonly aggregates: TableV2;
  public readonly registry: TableV2;
  public readonly deadLetters: TableV2;

  constructor(scope: Construct, id: string, props: AggregateTablesProps = {}) {
    super(scope, id);
    const build = (name: string, def: TableDefinition) =>
      new TableV2(this, name, {
        partitionKey: { name: def.partitionKey, type: AttributeType.STRING },
        ...(def.sortKey !== undefined && {
          sortKey: { name: def.sortKey, type: AttributeType.STRING },
        }),
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.awsManagedKey(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        deletionProtection: props.deletionProtection ?? true,
      });
    this.aggregates = build('Aggregates', TABLES.aggregates);
    this.registry = build('Registry', TABLES.registry);
    this.deadLetters = build('DeadLetters', TABLES.deadLetters);
  }
}
