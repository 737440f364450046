/**
 * How the stack buys capacity: on-demand (the default for both), or provisioned DynamoDB with
 * auto scaling for the aggregates table and a provisioned Kinesis stream of a fixed shard
 * count. Deploy options (`-c ...`), validated here; docs/cost-and-capacity.md, "Capacity
 * modes", says what each costs for the reference fleet (`npm run plan`) and what it risks.
 */
import type { AutoscaledCapacity, DynamoDbCapacity } from './constructs/aggregate-tables.js';

export type { AutoscaledCapacity, DynamoDbCapacity };

/** The telemetry stream's capacity: on-demand, or provisioned with a fixed shard count. */
export type KinesisCapacity =
  | { readonly mode: 'on-demand' }
  | { readonly mode: 'provisioned'; readonly shards: number };

export interface CapacitySettings {
  readonly dynamodb: DynamoDbCapacity;
  readonly kinesis: KinesisCapacity;
}

/** The default: on-demand both, no capacity to plan or watch. */
export const ON_DEMAND_CAPACITY: CapacitySettings = {
  dynamodb: { mode: 'on-demand' },
  kinesis: { mode: 'on-demand' },
};

/**
 * Provisioned defaults for the reference fleet (10,500 stores x 40 lanes x 30 events per
 * lane-hour), from `npm run plan`'s "capacity modes" (its recommended min and max at 70%):
 * max twice the peak hour's need at the target, so a backlog drains at twice the peak rate;
 * min a tenth of it, what the first minutes of a store day run on before auto scaling
 * catches up. Override each with its context option; `npm run plan -- --stores N` prints
 * the options for another fleet.
 */
export const PROVISIONED_AGGREGATES_DEFAULTS = {
  write: { min: 325, max: 6_500 },
  read: { min: 918, max: 18_341 },
  targetUtilizationPercent: 70,
} as const;

/** The context options this module reads, with what each takes. */
export const CAPACITY_CONTEXT = {
  dynamodbCapacity: 'on-demand (default) or provisioned',
  dynamodbMinWrite: 'a whole number of write units per second, at least 1',
  dynamodbMaxWrite: 'a whole number of write units per second, at least 1',
  dynamodbMinRead: 'a whole number of read units per second, at least 1',
  dynamodbMaxRead: 'a whole number of read units per second, at least 1',
  dynamodbTargetUtilization: 'a whole percentage from 20 to 90 (auto scaling target)',
  kinesisShards: 'a whole number of shards from 1 to 10000 (absent: on-demand)',
} as const;

type ContextName = keyof typeof CAPACITY_CONTEXT;
const PROVISIONED_ONLY: readonly ContextName[] = [
  'dynamodbMinWrite',
  'dynamodbMaxWrite',
  'dynamodbMinRead',
  'dynamodbMaxRead',
  'dynamodbTargetUtilization',
];

/**
 * The capacity settings the context names (`app.node.tryGetContext`), each option checked;
 * a bad value, or a bound given without `dynamodbCapacity=provisioned`, is an error naming
 * the option and what it takes.
 */
export function capacityFromContext(context: (name: string) => unknown): CapacitySettings {
  const given = (name: ContextName) => {
    const value = context(name);
    return value === undefined || value === '' ? undefined : value;
  };
  const fail = (name: ContextName, value: unknown, why: string = CAPACITY_CONTEXT[name]): never => {
    throw new Error(`context "${name}" must be ${why}; got ${JSON.stringify(value)}`);
  };
  const whole = (name: ContextName, min: number, max: number): number | undefined => {
    const value = given(name);
    if (value === undefined) return undefined;
    const n = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) return fail(name, value);
    return n;
  };

  const mode = given('dynamodbCapacity') ?? 'on-demand';
  if (mode !== 'on-demand' && mode !== 'provisioned') fail('dynamodbCapacity', mode);
  let dynamodb: DynamoDbCapacity = { mode: 'on-demand' };
  if (mode === 'on-demand') {
    for (const name of PROVISIONED_ONLY) {
      if (given(name) !== undefined)
        fail(name, given(name), 'given only with dynamodbCapacity=provisioned');
    }
  } else {
    const d = PROVISIONED_AGGREGATES_DEFAULTS;
    const bounds = (dimension: 'write' | 'read'): AutoscaledCapacity => {
      const [minName, maxName] =
        dimension === 'write'
          ? (['dynamodbMinWrite', 'dynamodbMaxWrite'] as const)
          : (['dynamodbMinRead', 'dynamodbMaxRead'] as const);
      const min = whole(minName, 1, Number.MAX_SAFE_INTEGER) ?? d[dimension].min;
      const max = whole(maxName, 1, Number.MAX_SAFE_INTEGER) ?? Math.max(d[dimension].max, min);
      if (max < min) fail(maxName, given(maxName), `at least ${minName} (${min})`);
      return { min, max };
    };
    dynamodb = {
      mode: 'provisioned',
      write: bounds('write'),
      read: bounds('read'),
      targetUtilizationPercent:
        whole('dynamodbTargetUtilization', 20, 90) ?? d.targetUtilizationPercent,
    };
  }

  const shards = whole('kinesisShards', 1, 10_000);
  const kinesis: KinesisCapacity =
    shards === undefined ? { mode: 'on-demand' } : { mode: 'provisioned', shards };
  return { dynamodb, kinesis };
}
