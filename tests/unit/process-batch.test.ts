import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '#contract';
import { encodeAggregate, isDictionaryDeflate, signRecord } from '#wire';
import { buildRecords } from '../../edge-client/src/aggregation/record-builder.js';
import {
  MAX_UNPACKED_BYTES,
  PackedTooLargeError,
} from '../../functions/adapters/packed-attribute.js';
import { decodeRecord } from '../../functions/domain/decode-record.js';
import { DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import type { StoreHealth } from '../../functions/domain/fleet-health.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import type { FleetHealthStore, RegistryReader } from '../../functions/domain/ports.js';
import { decodeSnapshot, encodeSnapshot } from '../../functions/domain/snapshots.js';
import { type ProcessorDeps, processBatch } from '../../functions/processor/process-batch.js';
import {
  detection,
  incident,
  NOON,
  outcome,
  streamRecords,
  testSigner,
} from '../helpers/factories.js';
import {
  InMemoryAggregates,
  InMemoryDeadLetters,
  silentLogger,
  staticRegistry,
} from '../helpers/in-memory-aggregates.js';

function deps(aggregates = new InMemoryAggregates(), registry: RegistryReader = staticRegistry) {
  const deadLetters = new InMemoryDeadLetters();
  const d: ProcessorDeps = {
    aggregates,
    registry,
    deadLetters,
    logger: silentLogger,
    fold: { baselines: DEFAULT_BASELINES },
    eventTime: DEFAULT_EVENT_TIME_RULES,
  };
  return { ...d, aggregates, deadLetters };
}

/** A mixed batch over two stores, a team, outcomes before and after detections, and resends. */
function mixedEvents(): TelemetryEvent[] {
  const d1 = detection({ estimatedLossCents: 2_000 });
  const d2 = detection({ category: 'walkout', estimatedLossCents: 9_000 });
  const d3 = detection({
    deviceId: 'panel-store-0002-lane-01',
    storeId: 'store-0002',
    estimatedLossCents: 700,
  });
  const early = outcome(d2, { outcome: 'confirmed_loss', recoveredCents: 1_000 });
  return [
    d1,
    early,
    d2,
    outcome(d1, { outcome: 'recovered', recoveredCents: 2_000 }),
    d3,
    d1,
    incident({ engineerMinutes: 10 }),
    outcome(d3, { outcome: 'false_positive', recoveredCents: 0 }),
    incident({ resolution: 'manual', engineerMinutes: 120 }),
  ];
}

/** Aggregates that refuse every write of store-0002's slot with `error()`, and take the rest. */
function refusingStore0002Slot(error: () => Error): InMemoryAggregates {
  const aggregates = new InMemoryAggregates();
  const put = aggregates.putHome.bind(aggregates);
  aggregates.putHome = async (next, expected) => {
    if (next.key.kind === 'store-slot' && next.key.storeId === 'store-0002') throw error();
    return put(next, expected);
  };
  return aggregates;
}

describe('Function: processBatch', () => {
  it('folds a batch into home items and keeps every rollup equal to its homes', async () => {
    // Prepare
    const d = deps();

    // Act
    const result = await processBatch(streamRecords(mixedEvents()), d);

    // Assess
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(result.stats).toMatchObject({ records: 9, counted: 8, duplicates: 1, deadLettered: 0 });
    const a = d.aggregates;
    expect(a.homeTotal('STORE#', 'lossDetectedCents')).toBe(11_700);
    expect(a.homeTotal('STORE#', 'confirmedLossCents')).toBe(8_000);
    expect(a.homeTotal('STORE#', 'lossPreventedCents')).toBe(3_000);
    expect(a.homeTotal('TEAM#', 'minutesSaved')).toBe(80); // pos_offline 90 - 10; 90 - 120 -> 0
    for (const counter of [
      'lossDetectedCents',
      'confirmedLossCents',
      'lossPreventedCents',
      'detections',
      'outcomes',
    ]) {
      // Store slots sum to their store days, and store days to every rollup.
      expect(a.summaryTotal(counter)).toBe(a.homeTotal('STORE#', counter));
      expect(a.rollupTotal('ROLLUP#ORG#DAY#', counter)).toBe(a.summaryTotal(counter));
      expect(a.rollupTotal('ROLLUP#REGION#', counter)).toBe(a.summaryTotal(counter));
    }
    // Team hours sum to their team weeks, and team weeks to the week rollups.
    expect(a.summaryTotal('minutesSaved')).toBe(80);
    expect(a.rollupTotal('ROLLUP#ORG#WEEK#', 'minutesSaved')).toBe(80);
    // Each rollup keeps each contributor's figures equal to its store day's or team week's.
    const contributors = [...a.summaries].map(([id, s]) =>
      s.key.kind === 'store-day'
        ? { id, name: s.key.storeId, kind: 'store' as const, ...s }
        : { id, name: s.key.teamId, kind: 'team' as const, ...s },
    );
    expect(contributors.map((c) => c.kind).sort()).toEqual(['store', 'store', 'team']);
    for (const { id, name, kind, version, counters } of contributors) {
      const holders = [...a.rollups.values()].filter(
        (r) => r.snapshots.has(name) && r.versions.get(name) === version,
      );
      expect(holders.length, id).toBeGreaterThan(0);
      for (const r of holders)
        expect(decodeSnapshot(kind, r.snapshots.get(name) as string)).toEqual(
          decodeSnapshot(kind, encodeSnapshot(kind, counters)),
        );
    }
  });

  it('writes nothing when the same batch is replayed, leaving aggregates bit-identical', async () => {
    const d = deps();
    const records = streamRecords(mixedEvents());
    await processBatch(records, d);
    const before = d.aggregates.snapshot();
    const writes = d.aggregates.writes;

    const replay = await processBatch(records, d);

    expect(replay.stats).toMatchObject({ counted: 0, homeWrites: 0, rollupWrites: 0 });
    expect(d.aggregates.writes).toBe(writes);
    expect(d.aggregates.snapshot()).toEqual(before);
  });

  it('ends exactly-once after a crash at every possible write, then a retry', async () => {
    // Prepare: what one clean run produces.
    const events = mixedEvents();
    const clean = deps();
    await processBatch(streamRecords(events), clean);
    const totalWrites = clean.aggregates.writes;
    expect(totalWrites).toBeGreaterThan(5);

    for (let crashAt = 0; crashAt < totalWrites; crashAt++) {
      // Act: crash after `crashAt` writes; the failed records are retried (Lambda resumes
      // from the lowest failed sequence number, so the retry is a suffix of the batch).
      const d = deps();
      d.aggregates.crashAfterWrites(crashAt);
      const records = streamRecords(events);
      const first = await processBatch(records, d);
      d.aggregates.heal();
      // One write in: a home holds events its summary has not absorbed yet.
      if (crashAt === 1) expect(d.aggregates.lagging()).toHaveLength(1);
      const lowest = records.findIndex((r) =>
        first.failedSequenceNumbers.includes(r.sequenceNumber),
      );
      expect(lowest).toBeGreaterThanOrEqual(0);
      const retry = await processBatch(records.slice(lowest), d);

      // Assess
      expect(retry.failedSequenceNumbers).toEqual([]);
      expect(d.aggregates.figures()).toEqual(clean.aggregates.figures());
      expect(d.aggregates.lagging()).toEqual([]);
    }
  });

  it('counts a resend in a later batch once, even from another shard', async () => {
    const d = deps();
    const events = mixedEvents();
    await processBatch(streamRecords(events), d);
    const before = d.aggregates.snapshot();
    const resend = await processBatch(
      streamRecords(events.slice(0, 3), { shardId: 'shardId-000000000007' }),
      d,
    );
    expect(resend.stats.duplicates).toBe(3);
    expect(d.aggregates.snapshot()).toEqual(before);
  });

  it('counts nothing again when a signed record is copied off the stream and put again', async () => {
    // Prepare: signed records counted once.
    const d = deps();
    const records = streamRecords(mixedEvents());
    await processBatch(records, d);
    const before = d.aggregates.snapshot();

    // Act: the same bytes, put again later (a replay by whoever copied them): new sequence
    // numbers, a later arrival, a valid signature.
    const copies = records.map((r, i) => ({
      ...r,
      sequenceNumber: String(50_000_000_000_000_000_000n + BigInt(i)),
      arrivedAt: r.arrivedAt + 3_600_000,
    }));
    const replay = await processBatch(copies, d);

    // Assess: accepted as signed (nothing dead-lettered), and every event a duplicate.
    expect(replay.stats).toMatchObject({ counted: 0, deadLettered: 0, duplicates: 9 });
    expect(d.aggregates.snapshot()).toEqual(before);
  });

  it('refuses a signed record cut short, whole, as undecodable, and counts its neighbours', async () => {
    const d = deps();
    const [good, cut] = streamRecords([detection({ estimatedLossCents: 7 }), detection()]);
    const truncated = { ...(cut as NonNullable<typeof cut>) };
    truncated.data = (truncated.data as Buffer).subarray(0, 40);
    const result = await processBatch([good as NonNullable<typeof good>, truncated], d);
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(d.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(7);
    expect([...d.deadLetters.letters.values()]).toMatchObject([
      { reason: 'undecodable', detail: expect.stringMatching(/signed record cut short/) },
    ]);
  });

  it('counts a gateway’s dictionary-deflate record exactly as the same events one per record', async () => {
    // Prepare: store-0001's events (a resend among them) in one record as its gateway packs
    // and signs it, and the same events as plain records, each signed by its lane.
    const events = mixedEvents().filter((e) => e.storeId === 'store-0001');
    const [built, ...rest] = buildRecords(
      events,
      (e) => ({ partitionKey: 'store-0001', data: Buffer.from(JSON.stringify(e)) }),
      undefined,
    );
    expect(rest).toEqual([]);
    const data = built?.data ?? Buffer.alloc(0);
    expect(isDictionaryDeflate(data)).toBe(true);
    const [carrier] = streamRecords(['x']);
    const packed = deps();
    const plain = deps();

    // Act
    const result = await processBatch(
      [
        {
          ...(carrier as NonNullable<typeof carrier>),
          data: signRecord(data, testSigner('gateway-store-0001')),
        },
      ],
      packed,
    );
    await processBatch(streamRecords(events), plain);

    // Assess: every event counted once, the resend a duplicate, the same figures as plain.
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(result.stats).toMatchObject({
      counted: events.length - 1,
      duplicates: 1,
      deadLettered: 0,
    });
    for (const counter of ['lossDetectedCents', 'confirmedLossCents', 'lossPreventedCents'])
      expect(packed.aggregates.homeTotal('STORE#', counter)).toBe(
        plain.aggregates.homeTotal('STORE#', counter),
      );
    expect(packed.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(11_000);
  });

  it('gives the same aggregates whatever the order the events arrive in', async () => {
    const events = mixedEvents();
    const forward = deps();
    const backward = deps();
    for (const e of events) await processBatch(streamRecords([e]), forward);
    for (const e of [...events].reverse()) await processBatch(streamRecords([e]), backward);
    const counters = (a: InMemoryAggregates) =>
      [...a.homes].sort().map(([id, h]) => [id, h.counters]);
    expect(counters(backward.aggregates)).toEqual(counters(forward.aggregates));
  });

  it('stays exact when two invocations race on the same items', async () => {
    const aggregates = new InMemoryAggregates();
    const a = deps(aggregates);
    const b = deps(aggregates);
    const left = Array.from({ length: 30 }, () => detection({ estimatedLossCents: 100 }));
    const right = Array.from({ length: 30 }, () =>
      detection({
        deviceId: 'panel-store-0002-lane-01',
        storeId: 'store-0002',
        estimatedLossCents: 10,
      }),
    );
    // Both batches touch both stores' days and the same rollup items.
    const mixA = [...left.slice(0, 15), ...right.slice(0, 15)];
    const mixB = [...left.slice(15), ...right.slice(15)];
    const results = await Promise.all([
      processBatch(streamRecords(mixA, { shardId: 'shardId-000000000000' }), a),
      processBatch(streamRecords(mixB, { shardId: 'shardId-000000000001' }), b),
    ]);
    expect(results.flatMap((r) => r.failedSequenceNumbers)).toEqual([]);
    expect(aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(3_300);
    expect(aggregates.rollupTotal('ROLLUP#ORG#DAY#', 'lossDetectedCents')).toBe(3_300);
    expect(aggregates.rollupTotal('ROLLUP#REGION#', 'lossDetectedCents')).toBe(3_300);
  });

  it('dead-letters poison records with their reason and commits the rest of the batch', async () => {
    // Prepare
    const d = deps();
    const good = [detection({ estimatedLossCents: 100 }), detection({ estimatedLossCents: 200 })];
    const records = streamRecords([
      good[0],
      '{"broken',
      { ...detection(), faceEmbedding: [1, 2] },
      detection({ deviceId: 'panel-x' }),
      detection({ storeId: 'store-0002' }),
      good[1],
    ]);

    // Act
    const result = await processBatch(records, d);

    // Assess
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(d.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(300);
    const letters = [...d.deadLetters.letters.values()];
    // panel-x is not registered, so it holds no key its record could be signed with.
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'schema_violation',
      'store_mismatch',
      'undecodable',
      'unknown_key',
    ]);
    const schema = letters.find((l) => l.reason === 'schema_violation');
    expect(schema?.detail).toContain('faceEmbedding');
    expect(JSON.stringify(letters)).not.toContain('"broken');
  });

  it('fails the whole batch for retry when the registry cannot be read', async () => {
    const broken: RegistryReader = { load: async () => Promise.reject(new Error('throttled')) };
    const d = deps(new InMemoryAggregates(), broken);
    const records = streamRecords([detection(), detection()]);
    const result = await processBatch(records, d);
    expect(result.failedSequenceNumbers).toEqual(records.map((r) => r.sequenceNumber));
    expect(d.aggregates.writes).toBe(0);
  });

  it('dead-letters an event from a clock far ahead, keeping its arrival time, and counts the rest', async () => {
    const d = deps();
    const ahead = detection({ occurredAt: new Date(NOON + 6 * 3_600_000).toISOString() });
    const records = streamRecords([detection({ estimatedLossCents: 10 }), ahead]);
    await processBatch(records, d);
    const [letter] = [...d.deadLetters.letters.values()];
    expect(letter).toMatchObject({
      reason: 'clock_skew',
      arrivedAt: new Date(NOON).toISOString(),
      eventId: ahead.eventId,
    });
    expect(d.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(10);
  });
});

describe('Function: processBatch at the item size limit', () => {
  it('dead-letters the events of an item DynamoDB refuses as too large, and commits the rest', async () => {
    // Prepare: the store-0002 slot is full; store-0001's is not.
    const aggregates = refusingStore0002Slot(() =>
      Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
        name: 'ValidationException',
      }),
    );
    const d = deps(aggregates);
    const full = detection({ deviceId: 'panel-store-0002-lane-01', storeId: 'store-0002' });

    // Act
    const result = await processBatch(
      streamRecords([detection({ estimatedLossCents: 5 }), full]),
      d,
    );

    // Assess
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(5);
    expect([...d.deadLetters.letters.values()]).toMatchObject([
      { reason: 'aggregate_too_large', eventId: full.eventId },
    ]);
  });
});

describe('Function: processBatch at the size packed bookkeeping may inflate to', () => {
  it('dead-letters the events of a slot whose bookkeeping its readers could not inflate, saying so', async () => {
    // Prepare: store-0002's slot would pack past MAX_UNPACKED_BYTES (home-codec.test.ts).
    const aggregates = refusingStore0002Slot(() => new PackedTooLargeError(MAX_UNPACKED_BYTES + 1));
    const d = deps(aggregates);
    const full = detection({ deviceId: 'panel-store-0002-lane-01', storeId: 'store-0002' });

    // Act
    const result = await processBatch(
      streamRecords([detection({ estimatedLossCents: 5 }), full]),
      d,
    );

    // Assess: not retried (the shard moves on), named as what it is.
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(5);
    const letters = [...d.deadLetters.letters.values()];
    expect(letters).toMatchObject([{ reason: 'aggregate_too_large', eventId: full.eventId }]);
    expect(letters[0]?.detail).toContain('packed bookkeeping');
  });
});

describe('Function: processBatch after a home item expired', () => {
  it('dead-letters a late event for an expired home as too_old instead of counting it from nothing', async () => {
    // Prepare: a detection and its outcome counted; then DynamoDB's time to live deletes the
    // slot (its store day, which never expires, keeps the figures).
    const d = deps();
    const counted = detection({ estimatedLossCents: 4_000 });
    const resolved = outcome(counted, { outcome: 'recovered', recoveredCents: 4_000 });
    await processBatch(streamRecords([counted, resolved]), d);
    const [slot] = [...d.aggregates.homes.keys()];
    d.aggregates.homes.delete(slot as string);
    const figures = d.aggregates.summaryTotal('lossPreventedCents');

    // Act: a second outcome of the same detection (to be ignored), a resend of the detection
    // (a duplicate), and a new detection in the same slot: without the slot's bookkeeping,
    // the first two would count again, and the summary would skip the slot's new versions.
    const late = [
      outcome(counted, { outcome: 'confirmed_loss', recoveredCents: 0 }),
      counted,
      detection({ estimatedLossCents: 1_000 }),
    ];
    const result = await processBatch(streamRecords(late), d);

    // Assess: each is dead-lettered with why; nothing counted, nothing to retry.
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(result.stats).toMatchObject({ counted: 0, deadLettered: 3 });
    const letters = [...d.deadLetters.letters.values()];
    expect(letters.map((l) => l.reason)).toEqual(['too_old', 'too_old', 'too_old']);
    expect(letters[0]?.detail).toMatch(/has expired/);
    expect(d.aggregates.homes.size).toBe(0);
    expect(d.aggregates.summaryTotal('lossPreventedCents')).toBe(figures);
    expect(d.aggregates.summaryTotal('lossDetectedCents')).toBe(4_000);
  });
});

describe('Function: processBatch with a home read before a racing writer wrote it', () => {
  it('reads the home again when its summary has absorbed it, and neither dead-letters nor counts twice', async () => {
    // Prepare: a batch counted; then a read of the home that answers as if it came just
    // before a racing invocation wrote it (the summary, read after, has absorbed it).
    const aggregates = new InMemoryAggregates();
    const d = deps(aggregates);
    const counted = detection({ estimatedLossCents: 4_000 });
    await processBatch(streamRecords([counted]), d);
    const before = aggregates.snapshot();
    const load = aggregates.loadHomes.bind(aggregates);
    let stale = 1;
    aggregates.loadHomes = async (keys) => (stale-- > 0 ? new Map() : load(keys));

    // Act: the same event again (a resend), and a new one in the same slot.
    const later = detection({ estimatedLossCents: 500 });
    const result = await processBatch(streamRecords([counted, later]), d);

    // Assess: not expired; the resend is a duplicate, the new one counts once.
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(result.stats).toMatchObject({ counted: 1, duplicates: 1, deadLettered: 0 });
    expect(aggregates.summaryTotal('lossDetectedCents')).toBe(4_500);
    expect(aggregates.snapshot()).not.toEqual(before);
  });
});

describe('Function: processBatch under amplification', () => {
  /** A gzipped aggregate, signed by store-0001's lane as its daemon would (or another). */
  const aggregateOf = (users: readonly Uint8Array[], signer = 'panel-store-0001-lane-01') =>
    signRecord(
      gzipSync(encodeAggregate(users.map((data) => ({ partitionKey: 'a', data })))),
      testSigner(signer),
    );

  it('dead-letters an aggregate of 100,000 user records once, with its count, and counts its neighbours', async () => {
    // Prepare: the record of issue 17, between two good events.
    const d = deps();
    const flood = aggregateOf(Array.from({ length: 100_000 }, () => Buffer.alloc(0)));
    const records = streamRecords([detection({ estimatedLossCents: 5 }), 'x', detection()]);
    const batch = records.map((r, i) => (i === 1 ? { ...r, data: flood } : r));

    // Act
    const result = await processBatch(batch, d);

    // Assess
    expect(result.failedSequenceNumbers).toEqual([]);
    expect(d.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(1_255);
    expect([...d.deadLetters.letters.values()]).toEqual([
      expect.objectContaining({
        reason: 'oversized_record',
        count: 100_000,
        position: expect.objectContaining({
          sequenceNumber: batch[1]?.sequenceNumber,
          subSequenceNumber: 0,
        }),
      }),
    ]);
    expect(result.stats).toMatchObject({ deadLettered: 100_000, deadLetterItems: 1 });
  });

  it('writes one dead letter per record and reason, listing every position and event id', async () => {
    // Prepare: an aggregate of 3,000 bad user records, 2 unregistered-device events and 1 good,
    // as store-0001's gateway carries its lanes' events.
    const d = deps();
    const strangers = [detection({ deviceId: 'panel-x' }), detection({ deviceId: 'panel-y' })];
    const good = detection({ estimatedLossCents: 40 });
    const users = [
      ...Array.from({ length: 3_000 }, (_, i) => Buffer.from(`{"n":${i}}`)),
      Buffer.from(JSON.stringify(strangers[0])),
      Buffer.from(JSON.stringify(good)),
      Buffer.from(JSON.stringify(strangers[1])),
    ];
    const [record] = streamRecords(['x']);
    const batch = [
      {
        ...(record as NonNullable<typeof record>),
        data: aggregateOf(users, 'gateway-store-0001'),
      },
    ];

    // Act
    const result = await processBatch(batch, d);

    // Assess
    expect(d.aggregates.homeTotal('STORE#', 'lossDetectedCents')).toBe(40);
    const letters = [...d.deadLetters.letters.values()];
    expect(letters).toHaveLength(2);
    const schema = letters.find((l) => l.reason === 'schema_violation');
    expect(schema).toMatchObject({ count: 3_000, position: { subSequenceNumber: 0 } });
    expect(schema?.subSequenceNumbers).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(letters.find((l) => l.reason === 'unknown_device')).toMatchObject({
      count: 2,
      position: { subSequenceNumber: 3_000 },
      subSequenceNumbers: [3_000, 3_002],
      eventIds: strangers.map((s) => s.eventId),
      eventId: strangers[0]?.eventId,
    });
    expect(result.stats).toMatchObject({ deadLettered: 3_002, deadLetterItems: 2, counted: 1 });
  });

  it('leaves the records past the inflate budget to the next invocation, untouched, and never stalls', async () => {
    // Prepare: four records of 1,000 events each; a budget that one record fills.
    const d = deps();
    const perRecord = 1_000;
    const events = Array.from({ length: 4 * perRecord }, () =>
      detection({ estimatedLossCents: 1 }),
    );
    const records = streamRecords(['a', 'b', 'c', 'd']).map((r, i) => ({
      ...r,
      data: aggregateOf(
        events.slice(i * perRecord, (i + 1) * perRecord).map((e) => Buffer.from(JSON.stringify(e))),
      ),
    }));
    const budget = decodeRecord(records[0]?.data as Uint8Array).inflatedBytes;

    // Act: invoke as Lambda does, from the first failed record each time.
    let rest = records;
    const invocations: number[] = [];
    while (rest.length > 0) {
      const result = await processBatch(rest, { ...d, inflatedBytesPerBatch: budget });
      invocations.push(rest.length - result.failedSequenceNumbers.length);
      const from = rest.findIndex((r) => result.failedSequenceNumbers.includes(r.sequenceNumber));
      rest = from < 0 ? [] : rest.slice(from);
    }

    // Assess: one record per invocation, every event counted once, nothing dead-lettered.
    expect(invocations).toEqual([1, 1, 1, 1]);
    expect(d.aggregates.homeTotal('STORE#', 'detections')).toBe(4 * perRecord);
    expect(d.deadLetters.letters.size).toBe(0);
  });
});

describe('processBatch: device statuses', () => {
  /** An in-memory fleet health store that versions its items like the DynamoDB one. */
  function memoryHealth() {
    const items = new Map<string, StoreHealth>();
    const store: FleetHealthStore = {
      load: async (stores) => {
        const found = new Map<string, StoreHealth>();
        for (const { storeId } of stores) {
          const item = items.get(storeId);
          if (item !== undefined) found.set(storeId, item);
        }
        return found;
      },
      put: async (next) => {
        if ((items.get(next.storeId)?.version ?? 0) !== next.version) return 'conflict';
        items.set(next.storeId, { ...next, version: next.version + 1 });
        return 'ok';
      },
    };
    return { items, store };
  }
  const status = (deviceId: string, storeId: string, over: Record<string, unknown> = {}) => ({
    schemaVersion: 1,
    type: 'device_status',
    eventId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    deviceId,
    occurredAt: new Date(NOON).toISOString(),
    seq: 900_000,
    storeId,
    spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
    daemonVersion: '0.1.0',
    models: [],
    ...over,
  });

  it('keeps statuses out of the figures, folds them into their store, and names the backlog and the worst clock', async () => {
    const health = memoryHealth();
    const d = { ...deps(), health: health.store, now: () => NOON };
    const records = streamRecords([
      detection(),
      status('panel-store-0001-lane-01', 'store-0001', {
        spool: { bytes: 9_000, oldestUnsentAgeSeconds: 900 },
        // 20 minutes ahead of its arrival (NOON).
        occurredAt: new Date(NOON + 1_200_000).toISOString(),
      }),
      // Another store's status, from a lane of store-0001: refused as any event would be.
      status('panel-store-0001-lane-01', 'store-0002', { seq: 900_001 }),
    ]);

    const result = await processBatch(records, d);

    expect(result.stats).toMatchObject({
      counted: 1,
      statuses: 1,
      healthWrites: 1,
      deadLettered: 1,
      devicesBacklogged: 1,
      maxClockSkewSeconds: 1_200,
    });
    expect([...d.deadLetters.letters.values()].map((l) => l.reason)).toEqual(['store_mismatch']);
    expect(Object.keys(health.items.get('store-0001')?.devices ?? {})).toEqual([
      'panel-store-0001-lane-01',
    ]);
  });

  it('goes on when the fleet health store fails: the figures count, the batch does not retry', async () => {
    const d = {
      ...deps(),
      health: {
        load: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
        put: async () => 'ok',
      } satisfies FleetHealthStore,
    };

    const result = await processBatch(
      streamRecords([detection(), status('panel-store-0001-lane-01', 'store-0001')]),
      d,
    );

    expect(result.failedSequenceNumbers).toEqual([]);
    expect(result.stats).toMatchObject({ counted: 1, statuses: 1, healthWrites: 0 });
  });
});
