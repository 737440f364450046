/**
 * `npm run bench:emulator`: what the LevelDB read fix (infra/local/leveldb-read-fix.ts) costs
 * the local DynamoDB emulator. Baseline and fix are measured in the same run, on the same data,
 * in alternating rounds:
 * (a) LevelDB point reads: classic-level's `get` against the one-entry range read;
 * (b) through dynalite over HTTP: BatchGetItem of 100 items, on one emulator opened before the
 *     fix and one opened after it.
 * Prints ratios (fix / baseline); the last line is JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  BatchGetItemCommand,
  CreateTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { mapLimit, sleep } from '#edge-client';
import { putAll } from '../../functions/adapters/batch-write.js';
import {
  dynalitesClassicLevel,
  installLevelDbReadFix,
} from '../../infra/local/leveldb-read-fix.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const KEYS = 20_000;
const ROUNDS = 6;
const round = (n: number) => Math.round(n * 100) / 100;
const dir = mkdtempSync(join(tmpdir(), 'sfi-bench-reads-'));
const ClassicLevel = dynalitesClassicLevel();
type Db = {
  open(): Promise<void>;
  close(): Promise<void>;
  batch(ops: unknown[]): Promise<void>;
  get(key: string): Promise<unknown>;
};
const originalGet = ClassicLevel.prototype.get as (this: Db, key: string) => Promise<unknown>;
const pad = 'x'.repeat(2_000);
const keyOf = (i: number) => `item-t~${(i * 2_654_435_761) % 4_294_967_296}`;

/** Runs `fn` over `total` operations, 32 in flight; returns operations per second. */
async function rate(total: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  // Results are dropped, not kept: the pool holds nothing the loop did not.
  await mapLimit(
    Array.from({ length: total }, (_, i) => i),
    32,
    async (i) => {
      await fn(i);
    },
  );
  return total / ((performance.now() - t0) / 1000);
}

/** Alternating rounds of baseline and fix; the medians of each. */
async function compare(
  total: number,
  baseline: (i: number) => Promise<unknown>,
  fixed: (i: number) => Promise<unknown>,
) {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await rate(total, baseline));
    b.push(await rate(total, fixed));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const base = median(a);
  const fix = median(b);
  return { baselinePerS: Math.round(base), fixPerS: Math.round(fix), ratio: round(fix / base) };
}

// (a) LevelDB point reads.
const db = new ClassicLevel(join(dir, 'level'), { valueEncoding: 'json' }) as Db;
await db.open();
for (let i = 0; i < KEYS; i += 1_000) {
  await db.batch(
    Array.from({ length: 1_000 }, (_, j) => ({
      type: 'put',
      key: keyOf(i + j),
      value: { v: i + j, pad },
    })),
  );
}
// The emulator opened before the fix keeps classic-level's own get (dynalite binds it on open).
const servers: Server[] = [];
async function emulator(path: string): Promise<DynamoDBClient> {
  const server = dynalite({ path, createTableMs: 0 }) as Server;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'bench-items',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await sleep(50);
  const items: Record<string, AttributeValue>[] = Array.from({ length: 2_000 }, (_, i) => ({
    pk: { S: keyOf(i) },
    pad: { S: pad },
    version: { N: String(i) },
  }));
  await putAll(client, 'bench-items', items);
  return client;
}
const before = await emulator(join(dir, 'before'));
installLevelDbReadFix();
const after = await emulator(join(dir, 'after'));

const points = await compare(
  50_000,
  (i) => originalGet.call(db, keyOf((i * 7) % KEYS)),
  (i) => db.get(keyOf((i * 7) % KEYS)),
);
const batchOf = (client: DynamoDBClient) => (i: number) =>
  client.send(
    new BatchGetItemCommand({
      RequestItems: {
        'bench-items': {
          ConsistentRead: true,
          Keys: Array.from({ length: 100 }, (_, j) => ({
            pk: { S: keyOf((i * 100 + j) % 2_000) },
          })),
        },
      },
    }),
  );
const batches = await compare(400, batchOf(before), batchOf(after));

console.log(
  `LevelDB point reads: ${points.baselinePerS}/s with classic-level's get, ${points.fixPerS}/s as range reads: ${points.ratio}x`,
);
console.log(
  `dynalite BatchGetItem (100 items of 2 KB): ${batches.baselinePerS}/s before the fix, ${batches.fixPerS}/s with it: ${batches.ratio}x`,
);
before.destroy();
after.destroy();
await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
await db.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ rounds: ROUNDS, pointReads: points, batchGetItem: batches }));
process.exit(0);
