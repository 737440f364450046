import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identifier } from '#contract';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { unpackContributors } from '../../functions/adapters/rollup-codec.js';
import type { RollupContribution } from '../../functions/domain/ports.js';
import { TABLES } from '../../functions/shared/resources.js';
import { ensureTable } from '../../infra/local/provision.js';
import { allItems, freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;
let tables = 0;

beforeAll(async () => {
  env = await freshEmulators(1);
});
afterAll(async () => env.close());

async function freshTable() {
  const name = `${TABLES.aggregates.localName}-rollups-${++tables}`;
  await ensureTable(env.dynamodb, TABLES.aggregates, name);
  return name;
}

const target = { pk: 'ROLLUP#ORG#DAY#3', sk: '2026-12-01' };
const contribution = (
  contributor: string,
  fromVersion: number,
  detections: number,
): RollupContribution => ({
  contributor,
  fromVersion,
  toVersion: fromVersion + 1,
  delta: { detections },
  snapshot: `${detections},0,0,0,0,0`,
});

describe('Integration: rollup items on the DynamoDB emulator', () => {
  it('keeps every contributor when invocations add to one rollup item at once', async () => {
    // Prepare: one store per contributor, each writing through its own store instance.
    const table = await freshTable();
    const stores = Array.from({ length: 12 }, (_, i) => ({
      id: `store-${String(i + 1).padStart(4, '0')}`,
      store: new DynamoDbAggregateStore(env.dynamodb, table),
    }));

    // Act: all at once; a writer told `conflict` tries again, as the processor settles it.
    await Promise.all(
      stores.map(async ({ id, store }, i) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          if ((await store.addToRollup(target, [contribution(id, 0, i + 1)])) === 'ok') return;
        }
        throw new Error(`${id} never landed`);
      }),
    );

    // Assess: no write lost another's entry or counters.
    const [item] = await allItems(env.dynamodb, table);
    expect(item?.detections?.N).toBe(String((12 * 13) / 2));
    expect([...unpackContributors(item ?? {}).keys()].sort()).toEqual(stores.map((s) => s.id));
  });

  it('answers conflict, and writes nothing, when a contributor is not at its from-version', async () => {
    // Prepare
    const table = await freshTable();
    const store = new DynamoDbAggregateStore(env.dynamodb, table);
    expect(await store.addToRollup(target, [contribution('store-0001', 0, 5)])).toBe('ok');
    const before = await allItems(env.dynamodb, table);

    // Act: a repeat of the same advance, and one that skips a version.
    const repeat = await store.addToRollup(target, [contribution('store-0001', 0, 5)]);
    const gap = await store.addToRollup(target, [contribution('store-0001', 2, 5)]);

    // Assess
    expect([repeat, gap]).toEqual(['conflict', 'conflict']);
    expect(await allItems(env.dynamodb, table)).toEqual(before);
    expect(
      (
        await store.loadRollupVersions([
          { ...target, contributor: 'store-0001', snapshot: 'store' },
        ])
      )
        .values()
        .next().value,
    ).toBe(1);
  });

  it('carries on from a rollup item of the earlier layout and moves what it writes', async () => {
    // Prepare: a rollup as the release before wrote it (a v: and an s: attribute each).
    const table = await freshTable();
    await env.dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: target.pk },
          sk: { S: target.sk },
          kind: { S: 'rollup' },
          detections: { N: '40' },
          'v:store-0001': { N: '3' },
          's:store-0001': { S: '40,0,0,0,0,0' },
        },
      }),
    );
    const store = new DynamoDbAggregateStore(env.dynamodb, table);

    // Act: the old contributor advances, and a new one joins.
    const result = await store.addToRollup(target, [
      contribution('store-0001', 3, 2),
      contribution('store-0002', 0, 7),
    ]);

    // Assess
    expect(result).toBe('ok');
    const [item] = await allItems(env.dynamodb, table);
    expect(item?.detections?.N).toBe('49');
    expect(Object.fromEntries(unpackContributors(item ?? {}))).toEqual({
      'store-0001': { version: 4, snapshot: '2,0,0,0,0,0' },
      'store-0002': { version: 1, snapshot: '7,0,0,0,0,0' },
    });
    expect(Object.keys(item ?? {}).filter((k) => /^[vs]:/.test(k))).toEqual([]);
    expect(Object.keys(item ?? {}).filter((k) => k.startsWith('c:'))).toHaveLength(2);
  });

  it('keeps contributors of any id the contract allows apart, one a prefix of another included', async () => {
    // Prepare: ids at the edges of the contract's Identifier ([A-Za-z0-9][A-Za-z0-9._:-]*, 64).
    const table = await freshTable();
    const store = new DynamoDbAggregateStore(env.dynamodb, table);
    const ids = ['s', 's:1', 's.1', 's-1_', 'constructor', 'v:store', `9${'Z'.repeat(63)}`];
    for (const id of ids) expect(Identifier.safeParse(id).success).toBe(true);

    // Act: every contributor advances twice, in one write per step.
    for (const step of [0, 1]) {
      const all = ids.map((id, i) => contribution(id, step, i + 1));
      expect(await store.addToRollup(target, all)).toBe('ok');
    }
    const versions = await store.loadRollupVersions(
      ids.map((contributor) => ({ ...target, contributor, snapshot: 'store' as const })),
    );

    // Assess
    const [item] = await allItems(env.dynamodb, table);
    const entries = unpackContributors(item ?? {});
    expect([...entries.keys()].sort()).toEqual([...ids].sort());
    for (const [i, id] of ids.entries())
      expect(entries.get(id)).toEqual({ version: 2, snapshot: `${i + 1},0,0,0,0,0` });
    expect([...versions.values()]).toEqual(ids.map(() => 2));
    expect(item?.detections?.N).toBe(String(2 * ((ids.length * (ids.length + 1)) / 2)));
  });
});
