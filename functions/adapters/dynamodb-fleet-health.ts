import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import {
  type CoverageSummary,
  coverageSummary,
  type DeviceHealth,
  profileOf,
  registeredCoverage,
  type StoreHealth,
  UNKNOWN_PROFILE,
  withProfile,
} from '#domain/fleet-health';
import { HHMM } from '#domain/open-hours';
import type { FleetHealthStore, WriteResult } from '#domain/ports';
import type { StoreInfo } from '#domain/registry-types';
import { getAll } from './batch-get.js';
import { type Item, num, str } from './item-codec.js';
import { queryPartition } from './query-partition.js';

/**
 * Fleet health items in the aggregates table: `pk` = `FLEET#{region}`, `sk` = `STORE#{id}`,
 * so one Query reads a region's stores. The devices are one string of compact tuples (about
 * 60 bytes a device: a 40-lane store's item is about 3 KB), with the daemon versions and
 * models named once per item.
 */
export class DynamoDbFleetHealth implements FleetHealthStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(
    stores: readonly { readonly storeId: string; readonly region: string }[],
  ): Promise<Map<string, StoreHealth>> {
    const items = await getAll(
      this.client,
      this.tableName,
      stores.map((s) => keyOf(s.region, s.storeId)),
      { ConsistentRead: true },
    );
    return new Map(
      items
        .filter((item) => !isMoved(item))
        .map((item) => [str(item, 'storeId') ?? '', decodeHealth(item)]),
    );
  }

  async put(next: StoreHealth): Promise<WriteResult> {
    const result = await this.putHealth(next);
    if (result === 'ok') await this.putCoverage(next);
    return result;
  }

  /**
   * The store's coverage summary beside the item (one small item per store in one partition,
   * so a region's or the organisation's coverage is one Query), never older than a newer one.
   */
  private async putCoverage(next: StoreHealth): Promise<void> {
    await putCoverageSummary(this.client, this.tableName, coverageSummary(next), next.version + 1);
  }

  private async putHealth(next: StoreHealth): Promise<WriteResult> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: encodeHealth(next),
          ConditionExpression: next.version === 0 ? 'attribute_not_exists(pk)' : 'v = :expected',
          ...(next.version !== 0 && {
            ExpressionAttributeValues: { ':expected': { N: String(next.version) } },
          }),
        }),
      );
      return 'ok';
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        return 'conflict';
      }
      throw error;
    }
  }
}

/** A region's fleet health items (at most `limit`, default 5,000: one region's stores). */
export async function queryFleetHealth(
  client: DynamoDBClient,
  tableName: string,
  region: string,
  limit = 5_000,
): Promise<{ stores: StoreHealth[]; truncated: boolean }> {
  const { items, truncated } = await queryPartition(client, tableName, `FLEET#${region}`, {
    limit,
  });
  return { stores: items.filter((item) => !isMoved(item)).map(decodeHealth), truncated };
}

/**
 * The partition of the stores' coverage summaries; sort key `{region}#{storeId}`. Exported for
 * the fleet watch's grant, which may Query this partition and no other.
 */
export const COVERAGE_PARTITION = 'FLEETCOV';

const coverageKey = (region: string, storeId: string) => ({
  pk: { S: COVERAGE_PARTITION },
  sk: { S: `${region}#${storeId}` },
});

/**
 * A store's coverage summary, written only over an older one (`version` counts the health
 * item's writes; a registration's summary is version 0 and replaces only another
 * registration's, so it never hides what the store's daemons have said).
 */
export async function putCoverageSummary(
  client: DynamoDBClient,
  tableName: string,
  c: CoverageSummary,
  version: number,
): Promise<void> {
  await client
    .send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...coverageKey(c.region, c.storeId),
          c: { S: JSON.stringify(encodeCoverage(c)) },
          v: { N: String(version) },
        },
        // A registration's summary (version 0) replaces only another registration's.
        ConditionExpression:
          version === 0
            ? 'attribute_not_exists(pk) OR v = :v'
            : 'attribute_not_exists(pk) OR v < :v',
        ExpressionAttributeValues: { ':v': { N: String(version) } },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException'))
        throw error;
    });
}

/** Whether a store's registration writes its coverage summary (putRegisteredCoverage). */
export const hasRegisteredCoverage = (store: StoreInfo) =>
  store.lanes !== undefined && store.test !== true;

/**
 * Coverage summaries for stores registered with their lane count and never heard from, so
 * that a scope's coverage counts their lanes as missing from the start. Never over a summary
 * a store's daemons have written; test stores get none (they count in no scope). Returns how
 * many stores it covered.
 */
export async function putRegisteredCoverage(
  client: DynamoDBClient,
  tableName: string,
  stores: readonly StoreInfo[],
  now: number,
): Promise<number> {
  const wanted = stores.filter(hasRegisteredCoverage);
  for (const store of wanted) {
    await putCoverageSummary(client, tableName, registeredCoverage(store, now), 0);
  }
  return wanted.length;
}

/**
 * The summaries a registration wrote for these stores, removed (a store registered again as a
 * test store, or without its lane count, before any of its daemons reported): only a
 * registration's (version 0), never one its daemons wrote.
 */
export async function dropRegisteredCoverage(
  client: DynamoDBClient,
  tableName: string,
  stores: readonly StoreInfo[],
): Promise<void> {
  for (const store of stores) {
    await deleteIf(client, tableName, coverageKey(store.region, store.storeId), 'v = :zero', {
      ':zero': { N: '0' },
    });
  }
}

/**
 * The registry profile of stores registered again (time zone, lanes, open hours, test) written
 * into the health item and coverage summary their daemons wrote, each only if no write came
 * between the read and it (a daemon's next write keeps the profile anyway). A store silent
 * under wrong open hours sends nothing that would rewrite its summary: without this, the fleet
 * watch would go on judging it by the hours corrected in its registry entry. Returns how many
 * stores' summaries changed.
 */
export async function refreshProfiles(
  client: DynamoDBClient,
  tableName: string,
  stores: readonly StoreInfo[],
): Promise<number> {
  const bySk = new Map(stores.map((s) => [`${s.region}#${s.storeId}`, s]));
  const summaries = await getAll(
    client,
    tableName,
    stores.map((s) => coverageKey(s.region, s.storeId)),
    { ConsistentRead: true },
  );
  let refreshed = 0;
  for (const item of summaries) {
    const store = bySk.get(str(item, 'sk') ?? '');
    const version = item.v?.N;
    const summary = decodeCoverage(item);
    // A registration's own summary (version 0) is rewritten whole by putRegisteredCoverage.
    if (store === undefined || isMoved(item) || version === '0' || summary === undefined) continue;
    const c = JSON.stringify(encodeCoverage(withProfile(summary, store)));
    if (c === str(item, 'c')) continue;
    const written = await client
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...item, c: { S: c } },
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':v': { N: version ?? '' } },
        }),
      )
      .then(() => true, ignoreConditionFailed);
    if (written) refreshed++;
  }
  const items = await getAll(
    client,
    tableName,
    stores.map((s) => keyOf(s.region, s.storeId)),
    { ConsistentRead: true },
  );
  for (const item of items) {
    const store = bySk.get(`${str(item, 'region')}#${str(item, 'storeId')}`);
    if (store === undefined || isMoved(item)) continue;
    const profile = JSON.stringify(profileOf(store));
    if (profile === str(item, 'profile')) continue;
    await client
      .send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(store.region, store.storeId),
          UpdateExpression: 'SET profile = :p',
          ConditionExpression: 'v = :v',
          ExpressionAttributeValues: { ':p': { S: profile }, ':v': { N: item.v?.N ?? '' } },
        }),
      )
      .catch(ignoreConditionFailed);
  }
  return refreshed;
}

/** A conditional write that lost to another: false; any other failure is thrown. */
function ignoreConditionFailed(error: unknown): false {
  if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
  throw error;
}

/**
 * The attribute that marks a store's health item and summary under a region it has left
 * (`moveStoreCoverage`), naming the region it went to. Readers skip such an item; a write by a
 * processor that still holds the old region (its registry cache keeps an entry a minute)
 * fails its condition on it, so the old region never gets the store back by that write.
 */
const MOVED_TO = 'movedTo';
const isMoved = (item: Item) => item[MOVED_TO] !== undefined;
/** A moved summary's version: above any a health item's writes reach. */
const MOVED_VERSION = String(Number.MAX_SAFE_INTEGER);

/**
 * A store registered again in another region (`npm run register`): its health item goes to
 * the new region (unless one is there already), with its summary, and both are marked moved
 * under the old one, so the store is counted once, in its region now, and the fleet watch
 * does not take the old region's copy for a store silent for ever. A mark left where the store
 * is going (it was there before) is cleared first. Idempotent.
 */
export async function moveStoreCoverage(
  client: DynamoDBClient,
  tableName: string,
  move: { readonly storeId: string; readonly from: string; readonly to: string },
): Promise<void> {
  const { storeId, from, to } = move;
  const moved = { ':moved': { S: to } };
  await deleteIf(client, tableName, coverageKey(to, storeId), `attribute_exists(${MOVED_TO})`);
  const read = await client.send(
    new GetItemCommand({ TableName: tableName, Key: keyOf(from, storeId), ConsistentRead: true }),
  );
  if (read.Item !== undefined && !isMoved(read.Item)) {
    const health = { ...decodeHealth(read.Item), region: to, version: 0 };
    const copied = await client
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: encodeHealth(health),
          ConditionExpression: `attribute_not_exists(pk) OR attribute_exists(${MOVED_TO})`,
        }),
      )
      .then(() => true, ignoreConditionFailed);
    if (copied) await putCoverageSummary(client, tableName, coverageSummary(health), 1);
  }
  for (const [key, extra] of [
    [keyOf(from, storeId), {}],
    [coverageKey(from, storeId), { v: { N: MOVED_VERSION } }],
  ] as const) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...key, ...extra, [MOVED_TO]: moved[':moved'] },
      }),
    );
  }
}

async function deleteIf(
  client: DynamoDBClient,
  tableName: string,
  key: Item,
  condition: string,
  values?: Item,
): Promise<void> {
  await client
    .send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: key,
        ConditionExpression: condition,
        ...(values !== undefined && { ExpressionAttributeValues: values }),
      }),
    )
    .catch(ignoreConditionFailed);
}

/**
 * What an item keeps of its store's profile. The time zone is not checked against this
 * runtime's time zone data here: a store in a zone it does not know is still read (the fleet
 * watch counts it as unjudged, and it adds no gap day when read).
 */
const StoredProfile = z.object({
  timeZone: z.string(),
  lanes: z.number().int().min(1).optional(),
  openHours: z.object({ opens: z.string().regex(HHMM), closes: z.string().regex(HHMM) }).optional(),
  test: z.boolean().optional(),
});

const count = z.number().int().min(0);
const seconds = z.number().int();

/**
 * [storeId, region, known, reporting, silent, completeThrough s or -1, writtenAt s,
 *  lanes registered or -1, lanes known, lanes reporting, profile, gap days]; a summary written
 * before lanes and profiles were kept has the first seven only.
 */
const CoverageTuple = z.tuple([
  z.string().min(1),
  z.string().min(1),
  count,
  count,
  count,
  seconds,
  seconds,
  seconds.optional(),
  count.optional(),
  count.optional(),
  StoredProfile.optional(),
  z.array(z.string()).optional(),
]);
type CoverageTuple = z.infer<typeof CoverageTuple>;

const encodeCoverage = (c: CoverageSummary): CoverageTuple => [
  c.storeId,
  c.region,
  c.known,
  c.reporting,
  c.silent,
  c.completeThrough === undefined ? -1 : Math.floor(c.completeThrough / 1000),
  Math.floor(c.writtenAt / 1000),
  c.lanes.registered ?? -1,
  c.lanes.known,
  c.lanes.reporting,
  c.profile,
  [...c.gapDays],
];

/**
 * A summary item's summary, or undefined when it is none a writer of this code makes (no `c`,
 * not JSON, not the tuple): such an item is skipped and counted, never thrown on, so that one
 * bad item does not stop the fleet watch or every answer that covers its partition. A summary
 * written before lanes and profiles were kept counts its devices as lanes, and has no profile
 * (UNKNOWN_PROFILE).
 */
function decodeCoverage(item: Item): CoverageSummary | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(str(item, 'c') ?? '');
  } catch {
    return undefined;
  }
  const parsed = CoverageTuple.safeParse(raw);
  if (!parsed.success) return undefined;
  const tuple = parsed.data;
  const [storeId, region, known, reporting, silent, through, written] = tuple;
  const [, , , , , , , registered = -1, lanesKnown = known, lanesReporting = reporting] = tuple;
  const profile = tuple[10] ?? UNKNOWN_PROFILE;
  return {
    storeId,
    region,
    profile,
    known,
    reporting,
    silent,
    lanes: {
      ...(registered >= 0 && { registered }),
      known: lanesKnown,
      reporting: lanesReporting,
      missing: Math.max(0, (registered >= 0 ? registered : lanesKnown) - lanesReporting),
    },
    gapDays: tuple[11] ?? [],
    ...(through >= 0 && { completeThrough: through * 1000 }),
    writtenAt: written * 1000,
  };
}

/**
 * The coverage summaries of a region's stores, or of every store (`region` undefined): one
 * Query of one partition, about 190 bytes a store (with open hours), at most `limit` of them.
 * `unreadable` counts the items read that are no summary (decodeCoverage), left out.
 */
export async function queryCoverage(
  client: DynamoDBClient,
  tableName: string,
  region: string | undefined,
  limit = 50_000,
): Promise<{ summaries: CoverageSummary[]; truncated: boolean; unreadable: number }> {
  const { items, truncated } = await queryPartition(client, tableName, COVERAGE_PARTITION, {
    limit,
    ...(region !== undefined && { sortKeyPrefix: `${region}#` }),
  });
  const current = items.filter((item) => !isMoved(item));
  const summaries = current.flatMap((item) => decodeCoverage(item) ?? []);
  return { summaries, truncated, unreadable: current.length - summaries.length };
}

const keyOf = (region: string, storeId: string) => ({
  pk: { S: `FLEET#${region}` },
  sk: { S: `STORE#${storeId}` },
});

/**
 * [seenAt s, clockOffsetMs, spoolBytes, oldestUnsentAgeSeconds, deliveredThrough s,
 *  version index, model indexes, statusAt s, 1 for a gateway else 0, error code?, error at?];
 * an item written before statusAt and the kind were kept has the error at 7 and 8.
 */
type Tuple = [number, number, number, number, number, number, number[], ...(number | string)[]];

const index = z.number().int().min(0);
const PackedDevices = z.object({
  versions: z.array(z.string()).optional(),
  models: z.array(z.string()).optional(),
  devices: z
    .record(
      z.string(),
      z
        .tuple([z.number(), z.number(), z.number(), z.number(), z.number(), index, z.array(index)])
        .rest(z.union([z.number(), z.string()])),
    )
    .optional(),
});
const GapDays = z.array(z.string());

/** JSON in a string attribute, as `schema` has it; undefined when absent, not JSON or not it. */
function parsedAttribute<T>(item: Item, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = str(item, name);
  if (raw === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function encodeHealth(health: StoreHealth): Item {
  const versions: string[] = [];
  const models: string[] = [];
  const index = (list: string[], value: string) => {
    const at = list.indexOf(value);
    return at >= 0 ? at : list.push(value) - 1;
  };
  const devices: Record<string, Tuple> = {};
  for (const [id, d] of Object.entries(health.devices)) {
    devices[id] = [
      Math.floor(d.seenAt / 1000),
      d.clockOffsetMs,
      d.spoolBytes,
      d.oldestUnsentAgeSeconds,
      Math.floor(d.deliveredThrough / 1000),
      index(versions, d.daemonVersion),
      d.models.map((m) => index(models, m)),
      Math.floor(d.statusAt / 1000),
      d.kind === 'gateway' ? 1 : 0,
      ...(d.lastError === undefined ? [] : [d.lastError.code, d.lastError.at]),
    ];
  }
  return {
    ...keyOf(health.region, health.storeId),
    storeId: { S: health.storeId },
    region: { S: health.region },
    profile: { S: JSON.stringify(health.profile) },
    gapDays: { S: JSON.stringify(health.gapDays) },
    devices: { S: JSON.stringify({ versions, models, devices }) },
    writtenAt: { N: String(health.writtenAt) },
    v: { N: String(health.version + 1) },
  };
}

/**
 * A fleet health item's health. An attribute no writer of this code makes (not JSON, not the
 * shape) reads as absent: devices none, profile unknown (as an item written before profiles
 * were kept), gap days none, so that one bad item fails
 * neither its region's fleet health nor the processor's writes for the other stores of a
 * batch; the item's version is kept, so the store's next write replaces it.
 */
export function decodeHealth(item: Item): StoreHealth {
  const packed = parsedAttribute(item, 'devices', PackedDevices) ?? {};
  const devices: Record<string, DeviceHealth> = {};
  for (const [id, t] of Object.entries(packed.devices ?? {})) {
    const [seen, offset, bytes, age, through, version, modelIdx, ...rest] = t;
    const current = typeof rest[0] === 'number';
    const [statusAt, gateway, code, at] = current ? rest : [seen, 0, ...rest];
    devices[id] = {
      kind: gateway === 1 ? 'gateway' : 'panel',
      seenAt: seen * 1000,
      statusAt: Number(statusAt) * 1000,
      clockOffsetMs: offset,
      spoolBytes: bytes,
      oldestUnsentAgeSeconds: age,
      deliveredThrough: through * 1000,
      daemonVersion: packed.versions?.[version] ?? '',
      models: modelIdx.map((i) => packed.models?.[i] ?? ''),
      ...(typeof code === 'string' && typeof at === 'string' && { lastError: { code, at } }),
    };
  }
  return {
    storeId: str(item, 'storeId') ?? '',
    region: str(item, 'region') ?? '',
    profile: parsedAttribute(item, 'profile', StoredProfile) ?? UNKNOWN_PROFILE,
    gapDays: parsedAttribute(item, 'gapDays', GapDays) ?? [],
    devices,
    writtenAt: num(item, 'writtenAt'),
    version: num(item, 'v'),
  };
}
