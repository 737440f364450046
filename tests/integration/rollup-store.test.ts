import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillRollupTotals, putRegistryEntries, registeredRegions } from '#adapters';
import { Identifier } from '#contract';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { unpackContributors } from '../../functions/adapters/rollup-codec.js';
import { totalsKeyOf } from '../../functions/domain/aggregate-keys.js';
import type { RollupContribution } from '../../functions/domain/ports.js';
import { DynamoDbImpactReader } from '../../functions/impact-api/impact-reader.js';
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
          if ((await store.addToRollup(target, [contribution(id, 0, i + 1)])) !== 'conflict')
            return;
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
    expect(await store.addToRollup(target, [contribution('store-0001', 0, 5)])).toEqual({
      rev: 1,
      counters: { detections: 5 },
    });
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
      ).versions
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

    // Assess: the item's first write under this layout is its rev 1, with all its counters.
    expect(result).toEqual({ rev: 1, counters: { detections: 49 } });
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
      expect(await store.addToRollup(target, all)).not.toBe('conflict');
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
    expect([...versions.versions.values()]).toEqual(ids.map(() => 2));
    expect(versions.heads.get(`${target.pk}|${target.sk}`)).toEqual({
      rev: 2,
      counters: { detections: 2 * ((ids.length * (ids.length + 1)) / 2) },
    });
    expect(item?.detections?.N).toBe(String(2 * ((ids.length * (ids.length + 1)) / 2)));
  });

  it("keeps a day rollup's totals copy at the newest head it is given, and refuses an older one", async () => {
    // Prepare: two writes to the rollup; their heads arrive at the copy out of order.
    const table = await freshTable();
    const store = new DynamoDbAggregateStore(env.dynamodb, table);
    const first = await store.addToRollup(target, [contribution('store-0001', 0, 5)]);
    const second = await store.addToRollup(target, [contribution('store-0002', 0, 7)]);
    if (first === 'conflict' || second === 'conflict') throw new Error('unexpected conflict');

    // Act
    const newer = await store.putRollupTotals(target, second);
    const older = await store.putRollupTotals(target, first);
    const again = await store.putRollupTotals(target, second);

    // Assess: the copy is the rollup's counters at rev 2, in the scope's totals partition.
    expect([newer, older, again]).toEqual(['ok', 'conflict', 'conflict']);
    const totals = (await allItems(env.dynamodb, table)).find((i) => i.kind?.S === 'rollup-totals');
    expect(totals?.pk?.S).toBe(totalsKeyOf(target)?.pk);
    expect(totals?.sk?.S).toBe(`${target.sk}#${target.pk.split('#').at(-1)}`);
    expect(totals?.rev?.N).toBe('2');
    expect(totals?.detections?.N).toBe('12');
    await expect(
      store.putRollupTotals({ pk: 'ROLLUP#ORG#WEEK#3', sk: '2026-W10' }, second),
    ).rejects.toThrow(/no totals item/);
  });

  it('backfills totals copies for rollups written before them, once, and the API reads the same totals', async () => {
    // Prepare: day rollups of the earlier layout (no rev, no copy) for the organisation and a
    // region that the registry names, and a week rollup, which has no copy.
    const table = await freshTable();
    const registry = `${TABLES.registry.localName}-backfill-${tables}`;
    await ensureTable(env.dynamodb, TABLES.registry, registry);
    await putRegistryEntries(env.dynamodb, registry, {
      stores: [{ storeId: 'store-0001', region: 'uk', timeZone: 'Europe/London' }],
    });
    const old = (pk: string, sk: string, detections: number) =>
      env.dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: pk },
            sk: { S: sk },
            kind: { S: 'rollup' },
            detections: { N: String(detections) },
            'v:store-0001': { N: '1' },
            's:store-0001': { S: `${detections},0,0,0,0,0` },
          },
        }),
      );
    await old('ROLLUP#ORG#DAY#2', '2026-11-30', 4);
    await old('ROLLUP#ORG#DAY#5', '2026-12-01', 6);
    await old('ROLLUP#REGION#uk#DAY#1', '2026-12-01', 6);
    await old('ROLLUP#ORG#WEEK#2', '2026-W49', 3);
    const reader = new DynamoDbImpactReader(env.dynamodb, table, registry);
    expect((await reader.storeTotals(undefined, '2026-11-30', '2026-12-01')).totals).toEqual({});

    // Act
    const regions = await registeredRegions(env.dynamodb, registry);
    const first = await backfillRollupTotals(env.dynamodb, table, regions);
    const again = await backfillRollupTotals(env.dynamodb, table, regions);

    // Assess: three copies, none on the second pass; the totals are the rollups'.
    expect(regions).toEqual(['uk']);
    expect(first).toEqual({ rollups: 3, copied: 3 });
    expect(again).toEqual({ rollups: 3, copied: 0 });
    for (const region of [undefined, 'uk']) {
      const totals = await reader.storeTotals(region, '2026-11-30', '2026-12-01');
      const rollup = await reader.storeRollup(region, '2026-11-30', '2026-12-01');
      expect(totals.totals).toEqual(rollup.totals);
      expect(totals.byPeriod).toEqual(rollup.byPeriod);
    }
    expect((await reader.storeTotals(undefined, '2026-11-30', '2026-12-01')).totals).toEqual({
      detections: 10,
    });
  });

  it("repairs a copy at its rollup's rev whose counters a processor without copies moved on (a rollback), and only those", async () => {
    // Prepare: a copy made at rev 2; then code from before the copies (a rollback, or an
    // invocation of it still running during the upgrade) added to the rollup without counting
    // the write in `rev`. The day is over: no later write will move the copy on.
    const table = await freshTable();
    const put = (item: Record<string, string | number>) =>
      env.dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: Object.fromEntries(
            Object.entries(item).map(([k, v]) => [
              k,
              typeof v === 'number' ? { N: `${v}` } : { S: v },
            ]),
          ),
        }),
      );
    /** Shard `k`'s rollup of 2026-12-01 and its copy, both at `rev`. */
    const pair = async (k: number, rev: number, rollup: number, copy: number) => {
      await put({
        pk: `ROLLUP#ORG#DAY#${k}`,
        sk: '2026-12-01',
        kind: 'rollup',
        rev,
        detections: rollup,
      });
      await put({
        pk: 'TOTALS#ORG#DAY',
        sk: `2026-12-01#${k}`,
        kind: 'rollup-totals',
        rev,
        detections: copy,
      });
    };
    await pair(3, 2, 9, 5); // stale at its rollup's rev
    await pair(4, 1, 2, 2); // current
    const reader = new DynamoDbImpactReader(env.dynamodb, table, 'unused');

    // Act
    const first = await backfillRollupTotals(env.dynamodb, table, []);
    const again = await backfillRollupTotals(env.dynamodb, table, []);

    // Assess: the stale copy is repaired, the current one left alone; the API reads the rollups.
    expect(first).toEqual({ rollups: 2, copied: 1 });
    expect(again).toEqual({ rollups: 2, copied: 0 });
    const totals = await reader.storeTotals(undefined, '2026-12-01', '2026-12-01');
    expect(totals.totals).toEqual(
      (await reader.storeRollup(undefined, '2026-12-01', '2026-12-01')).totals,
    );
    expect(totals.totals).toEqual({ detections: 11 });
  });
});
