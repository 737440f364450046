import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import {
  deflateWithDictionary,
  encodeAggregate,
  MAX_USER_RECORDS,
  openRecord,
  signRecord,
} from '#wire';
import { DynamoDbAggregateStore } from '../../functions/adapters/dynamodb-aggregate-store.js';
import { DynamoDbDeadLetters } from '../../functions/adapters/dynamodb-dead-letters.js';
import {
  DynamoDbRegistry,
  putRegistryEntries,
} from '../../functions/adapters/dynamodb-registry.js';
import { countersOf } from '../../functions/adapters/item-codec.js';
import { readArchive } from '../../functions/archive/read-archive.js';
import { rebuildFromRecords } from '../../functions/archive/rebuild.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { processBatch, type RawStreamRecord } from '../../functions/processor/process-batch.js';
import { TABLES } from '../../functions/shared/resources.js';
import { archiveHandler } from '../../infra/local/archiver.js';
import { ensureTable } from '../../infra/local/provision.js';
import { detection, incident, NOON, outcome, REGISTRY, testSigner } from '../helpers/factories.js';
import { silentLogger } from '../helpers/in-memory-aggregates.js';
import { allItems, freshEmulators } from '../helpers/local-dynamodb.js';

let env: Awaited<ReturnType<typeof freshEmulators>>;

beforeAll(async () => {
  env = await freshEmulators(1);
  await putRegistryEntries(env.dynamodb, TABLES.registry.localName, {
    stores: [...REGISTRY.stores.values()],
    devices: [...REGISTRY.devices.values()],
  });
});
afterAll(async () => env.close());

const EMBEDDING = [0.913_372, -0.402_118, 0.277_905, 0.066_431];
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const users = (events: readonly unknown[]) =>
  encodeAggregate(events.map((e) => ({ partitionKey: 'store-0001', data: json(e) })));
const aggregate = (events: readonly unknown[]) => gzipSync(users(events));
/** As the edge client compresses its aggregates by default (dictionary-deflate). */
const dictionaryAggregate = (events: readonly unknown[]) => deflateWithDictionary(users(events));
/** A record's text as its user records read, whatever its framing. */
const openedText = (data: Uint8Array) => {
  const opened = openRecord(data);
  const parts =
    opened.kind === 'aggregate'
      ? opened.users.map((u) => u.data)
      : [opened.kind === 'plain' ? opened.data : data];
  return parts.map((p) => Buffer.from(p).toString('latin1')).join('');
};

function deps(aggregatesTable: string, deadLetterTable: string) {
  return {
    aggregates: new DynamoDbAggregateStore(env.dynamodb, aggregatesTable),
    registry: new DynamoDbRegistry(env.dynamodb, TABLES.registry.localName),
    deadLetters: new DynamoDbDeadLetters(env.dynamodb, deadLetterTable),
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
  };
}

/** A stream with refused records among good ones, in every shape the archive must screen. */
function stream(): RawStreamRecord[] {
  const d = [1, 2, 3, 4, 5].map((n) => detection({ estimatedLossCents: n * 100 }));
  const other = detection({
    deviceId: 'panel-store-0002-lane-01',
    storeId: 'store-0002',
    estimatedLossCents: 9_000,
  });
  const face = (e: TelemetryEvent) => ({ ...e, faceEmbedding: EMBEDDING });
  const repeated = detection({ estimatedLossCents: 777 });
  const payloads: Buffer[] = [
    aggregate([d[0], face(detection()), d[1], outcome(d[0] as never), face(detection())]),
    json(face(detection())),
    aggregate([other, { ...incident(), image: 'data:image/jpeg;base64,/9j/4AAQ' }, incident()]),
    Buffer.from('{"broken'),
    // An amplification record: past the user-record cap.
    gzipSync(
      encodeAggregate(
        Array.from({ length: MAX_USER_RECORDS + 1 }, () => ({
          partitionKey: 'x',
          data: Buffer.alloc(0),
        })),
      ),
    ),
    aggregate([d[2], d[3], detection({ deviceId: 'panel-unregistered' }), d[4]]),
    json(d[1]), // a resend: counted once
    // One event repeated 2,400 times around two refused ones: counted once, archived once.
    aggregate([
      face(detection()),
      ...Array.from({ length: 1_200 }, () => repeated),
      face(detection()),
      ...Array.from({ length: 1_200 }, () => repeated),
    ]),
    // The edge client's own format: one accepted whole, one with a refused event inside.
    dictionaryAggregate([detection({ estimatedLossCents: 4_242 }), detection()]),
    dictionaryAggregate([detection({ estimatedLossCents: 31 }), face(detection())]),
  ];
  // Signed as store-0001's gateway puts its records: the third carries another store's event
  // and an incident, which a gateway may not, and is refused whole (live and rebuilt alike).
  return payloads.map((data, i) => ({
    shardId: 'shardId-000000000000',
    sequenceNumber: String(49_000_000_000_000_000_000n + BigInt(i) * 10n),
    partitionKey: 'store-0001',
    data: signRecord(data, testSigner('gateway-store-0001')),
    arrivedAt: NOON,
  }));
}

const counters = (items: Record<string, AttributeValue>[]) =>
  items.map((item) => [item.pk?.S, item.sk?.S, countersOf(item)]);
const letters = (items: Record<string, AttributeValue>[]) =>
  items.map(({ deadLetteredAt: _at, ...rest }) => rest);

describe('Integration: rebuild from a raw archive that screened refused records', () => {
  it('reproduces the live aggregates and dead letters exactly, and the archive holds none of the refused bytes', async () => {
    // Prepare: live processing, and the local archiver on the same records.
    const records = stream();
    for (const t of ['live', 'rebuilt']) {
      await ensureTable(env.dynamodb, TABLES.aggregates, `agg-${t}`);
      await ensureTable(env.dynamodb, TABLES.deadLetters, `dlq-${t}`);
    }
    const live = await processBatch(records, deps('agg-live', 'dlq-live'));
    expect(live.failedSequenceNumbers).toEqual([]);
    await archiveHandler(
      env.dir,
      new DynamoDbRegistry(env.dynamodb, TABLES.registry.localName),
    )({
      Records: records.map((r) => ({
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        kinesis: {
          sequenceNumber: r.sequenceNumber,
          partitionKey: r.partitionKey,
          data: Buffer.from(r.data).toString('base64'),
          approximateArrivalTimestamp: r.arrivedAt / 1000,
        },
      })),
    } as never);

    // Act
    const report = await rebuildFromRecords(
      readArchive(env.dir),
      deps('agg-rebuilt', 'dlq-rebuilt'),
    );

    // Assess: the same counters in every item, the same dead letters (position, reason, count).
    expect(report.records).toBe(records.length);
    expect(report.counted).toBe(live.stats.counted);
    expect(report.deadLettered).toBe(live.stats.deadLettered);
    const liveItems = await allItems(env.dynamodb, 'agg-live');
    expect(liveItems.length).toBeGreaterThan(0);
    expect(counters(await allItems(env.dynamodb, 'agg-rebuilt'))).toEqual(counters(liveItems));
    const liveLetters = letters(await allItems(env.dynamodb, 'dlq-live'));
    expect(liveLetters.map((l) => l.reason?.S).sort()).toEqual([
      'oversized_record',
      'schema_violation',
      'schema_violation',
      'schema_violation',
      'schema_violation',
      // The gateway's record of another store's event and two incidents, refused whole, live
      // and in the rebuild, which reads its signer from the screened archive line.
      'signer_mismatch',
      'undecodable',
      'unknown_device',
    ]);
    expect(letters(await allItems(env.dynamodb, 'dlq-rebuilt'))).toEqual(liveLetters);

    // ... and no archive file holds the refused values or the refused records' bytes: neither
    // as written (lines, gzipped screened bodies) nor once every part is opened.
    const folder = join(env.dir, 'raw', '2026', '06', '15');
    const archived = readdirSync(folder)
      .map((f) => readFileSync(join(folder, f), 'utf8'))
      .join('');
    const opened = [...readArchive(env.dir)]
      .map((r) =>
        r.data instanceof Uint8Array
          ? openedText(r.data)
          : JSON.stringify(r.data.refused) +
            r.data.kept.map((k) => Buffer.from(k.data).toString('latin1')).join(''),
      )
      .join('');
    expect(opened).toContain(`"estimatedLossCents":777`);
    expect(opened).toContain(`"estimatedLossCents":4242`);
    // The archive is the size of the stream (a line per record), not of what it inflates to.
    const streamBytes = records.reduce((sum, r) => sum + r.data.byteLength, 0);
    expect(archived.length).toBeLessThan(2 * streamBytes + 512 * records.length);
    for (const text of [archived, opened]) {
      for (const value of EMBEDDING) expect(text).not.toContain(String(value));
      expect(text).not.toContain('image/jpeg');
      expect(text).not.toContain('{"broken');
    }
    expect(opened).not.toContain('"faceEmbedding"');
  });
});
