import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RegistryReader } from '#domain/ports';
import { DeviceInfo, StoreInfo } from '#domain/registry-types';
import { getAll } from './batch-get.js';
import { putAll } from './batch-write.js';
import type { Item } from './item-codec.js';

const devicePk = (id: string) => `DEVICE#${id}`;
/** A store's registry key. */
export const storePk = (id: string) => `STORE#${id}`;

interface Cached<T> {
  readonly value: T | undefined;
  readonly expires: number;
}

/**
 * The device registry on DynamoDB (`pk` = `DEVICE#{id}` or `STORE#{id}`, the record as JSON in
 * `info`). Reads are cached per execution environment: known entries for a minute, unknown
 * ones for five seconds so that a newly provisioned panel PC is accepted almost at once.
 * Expired entries are swept once a minute, so a warm environment holds what it saw in the last
 * minute or so, not every device of a fleet that has ever sent to it.
 */
export class DynamoDbRegistry implements RegistryReader {
  private readonly cache = new Map<string, Cached<DeviceInfo | StoreInfo>>();
  private nextSweep = 0;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlMs = { known: 60_000, unknown: 5_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held, expired ones included until the next sweep. */
  get cachedEntries(): number {
    return this.cache.size;
  }

  async load(deviceIds: readonly string[], storeIds: readonly string[]) {
    this.sweep();
    const wanted = [...deviceIds.map(devicePk), ...storeIds.map(storePk)];
    const missing = wanted.filter((pk) => (this.cache.get(pk)?.expires ?? 0) <= this.now());
    for (let i = 0; i < missing.length; i += 100) {
      const chunk = missing.slice(i, i + 100);
      const found = new Map<string, DeviceInfo | StoreInfo>();
      const items = await getAll(
        this.client,
        this.tableName,
        chunk.map((pk) => ({ pk: { S: pk } })),
      );
      for (const item of items) {
        const pk = item.pk?.S ?? '';
        const info = decodeRegistryEntry(pk, item);
        if (info !== undefined) found.set(pk, info);
      }
      for (const pk of chunk) {
        const value = found.get(pk);
        this.cache.set(pk, {
          value,
          expires: this.now() + (value === undefined ? this.ttlMs.unknown : this.ttlMs.known),
        });
      }
    }
    const devices = new Map<string, DeviceInfo>();
    const stores = new Map<string, StoreInfo>();
    for (const id of deviceIds) {
      const value = this.cache.get(devicePk(id))?.value;
      if (value !== undefined && 'deviceId' in value) devices.set(id, value);
    }
    for (const id of storeIds) {
      const value = this.cache.get(storePk(id))?.value;
      if (value !== undefined && 'timeZone' in value) stores.set(id, value);
    }
    return { devices, stores };
  }

  private sweep(): void {
    const now = this.now();
    if (now < this.nextSweep) return;
    for (const [pk, entry] of this.cache) if (entry.expires <= now) this.cache.delete(pk);
    this.nextSweep = now + this.ttlMs.known;
  }
}

/** A registry item's entry, or undefined when it is missing or malformed. */
export function decodeRegistryEntry(
  pk: string,
  item: Item | undefined,
): DeviceInfo | StoreInfo | undefined {
  if (item === undefined) return undefined;
  const raw = item.info?.S;
  if (raw === undefined) return undefined;
  const value: unknown = JSON.parse(raw);
  // A malformed registry entry is an operator error: treat the device or store as unknown,
  // which dead-letters its events with a reason instead of crashing the shard.
  const parsed = pk.startsWith('DEVICE#')
    ? DeviceInfo.safeParse(value)
    : StoreInfo.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Writes registry entries (provisioning: stores, panel PCs, automation agents). */
export async function putRegistryEntries(
  client: DynamoDBClient,
  tableName: string,
  entries: { stores?: readonly StoreInfo[]; devices?: readonly DeviceInfo[] },
): Promise<void> {
  const items: Item[] = [
    ...(entries.stores ?? []).map((s) => ({
      pk: { S: storePk(s.storeId) },
      kind: { S: 'store' },
      info: { S: JSON.stringify(StoreInfo.parse(s)) },
    })),
    ...(entries.devices ?? []).map((d) => ({
      pk: { S: devicePk(d.deviceId) },
      kind: { S: 'device' },
      info: { S: JSON.stringify(DeviceInfo.parse(d)) },
    })),
  ];
  await putAll(client, tableName, items);
}

/**
 * Deletes registry entries (`npm run smoke` removes the test store and device it made). An
 * entry that is not there is no error. Readers that cached an entry keep it for up to their
 * cache's minute (DynamoDbRegistry).
 */
export async function deleteRegistryEntries(
  client: DynamoDBClient,
  tableName: string,
  entries: { storeIds?: readonly string[]; deviceIds?: readonly string[] },
): Promise<void> {
  const keys = [
    ...(entries.storeIds ?? []).map(storePk),
    ...(entries.deviceIds ?? []).map(devicePk),
  ];
  for (const pk of keys) {
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: pk } } }));
  }
}
