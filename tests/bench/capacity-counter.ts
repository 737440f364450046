/**
 * How the benchmarks count DynamoDB work: items written and read, and the capacity units
 * DynamoDB bills for them. Every counted request asks for `ReturnConsumedCapacity: TOTAL`,
 * which the emulator (dynalite) answers as DynamoDB does: 1 write unit per started KB of the
 * larger of the item before and after, 1 read unit per started 4 KB of a strongly consistent
 * read (half that eventually consistent). One implementation for every bench: bench:processor
 * applies it as SDK middleware, bench:fleet in an HTTP proxy in front of the emulator. Where
 * DynamoDB Local bills otherwise (a BatchGetItem key with no item; neither bills a write its
 * condition refused): `npm run bench:crosscheck`, docs/cost-and-capacity.md.
 */

/** What a run of requests cost; `byOperation` keeps the same figures per operation. */
export interface CapacityCount {
  writes: number;
  reads: number;
  writeUnits: number;
  readUnits: number;
  requests: number;
}

/** Operations that write, and that read (by their wire name: `PutItem`, not `PutItemCommand`). */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
export const READ_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'BatchGetItem',
  'Query',
  'Scan',
  'TransactGetItems',
]);

export const emptyCount = (): CapacityCount => ({
  writes: 0,
  reads: 0,
  writeUnits: 0,
  readUnits: 0,
  requests: 0,
});

/** `PutItemCommand` (an SDK command name) or `DynamoDB_20120810.PutItem` (a wire target) to `PutItem`. */
export function operationName(commandOrTarget: string): string {
  return commandOrTarget.replace(/^DynamoDB_\d+\./, '').replace(/Command$/, '');
}

interface RequestShape {
  RequestItems?: Record<string, unknown[] | { Keys?: unknown[] }>;
  TransactItems?: unknown[];
  ReturnConsumedCapacity?: string;
}

/**
 * Counts one request before it is sent and asks it to return its consumed capacity (mutates
 * `input`). Items: a batch or transaction counts each item it names; a Query or Scan counts
 * as one read (its units say how much it read). Returns whether the operation is counted.
 */
export function countRequest(count: CapacityCount, operation: string, input: unknown): boolean {
  const write = WRITE_OPERATIONS.has(operation);
  if (!write && !READ_OPERATIONS.has(operation)) return false;
  const request = input as RequestShape;
  const items =
    operation === 'BatchWriteItem'
      ? Object.values(request.RequestItems ?? {}).reduce(
          (s, r) => s + (Array.isArray(r) ? r.length : 0),
          0,
        )
      : operation === 'BatchGetItem'
        ? Object.values(request.RequestItems ?? {}).reduce(
            (s, r) => s + (Array.isArray(r) ? 0 : (r.Keys?.length ?? 0)),
            0,
          )
        : operation.startsWith('Transact')
          ? (request.TransactItems?.length ?? 0)
          : 1;
  count.requests++;
  if (write) count.writes += items;
  else count.reads += items;
  request.ReturnConsumedCapacity = 'TOTAL';
  return true;
}

/** Adds the capacity units a counted request's response reports. */
export function countResponse(count: CapacityCount, operation: string, output: unknown): void {
  const consumed = (output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  const units = [consumed ?? []]
    .flat()
    .reduce((s: number, c) => s + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
  if (WRITE_OPERATIONS.has(operation)) count.writeUnits += units;
  else if (READ_OPERATIONS.has(operation)) count.readUnits += units;
}

/**
 * The item kinds the aggregates table holds, by their keys (functions/domain/aggregate-keys.ts;
 * fleet health's in functions/adapters/dynamodb-fleet-health.ts).
 */
const ITEM_KINDS: readonly [RegExp, RegExp, string][] = [
  [/^STORE#/, /^SLOT#/, 'store slot'],
  [/^STORE#/, /^DAY#/, 'store day'],
  [/^TEAM#/, /^PART#/, 'team week part'],
  [/^TEAM#/, /^WEEK#/, 'team week'],
  [/^ROLLUP#ORG#DAY#/, /./, 'org day rollup'],
  [/^ROLLUP#REGION#/, /./, 'region day rollup'],
  [/^ROLLUP#ORG#WEEK#/, /./, 'org week rollup'],
  [/^TOTALS#/, /./, 'day rollup totals'],
  [/^FLEET#/, /^STORE#/, 'fleet health'],
  [/^FLEETCOV$/, /./, 'coverage summary'],
];

/** The kinds fleet health writes: a store's item and its coverage summary beside it. */
export const FLEET_HEALTH_KINDS: readonly string[] = ['fleet health', 'coverage summary'];

interface SingleItemShape {
  Item?: { pk?: { S?: string }; sk?: { S?: string } };
  Key?: { pk?: { S?: string }; sk?: { S?: string } };
}

/**
 * The kind of item a single-item write touches (`store slot`, `org day rollup`, ...), from
 * its key; `other` for anything else (the registry, dead letters) and for batch writes, whose
 * consumed capacity DynamoDB reports per table, not per item.
 */
export function writtenItemKind(operation: string, input: unknown): string {
  if (!['PutItem', 'UpdateItem', 'DeleteItem'].includes(operation)) return 'other';
  const shape = input as SingleItemShape;
  const key = shape.Item ?? shape.Key;
  const pk = key?.pk?.S ?? '';
  const sk = key?.sk?.S ?? '';
  return ITEM_KINDS.find(([p, s]) => p.test(pk) && s.test(sk))?.[2] ?? 'other';
}
