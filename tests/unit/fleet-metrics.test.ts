import { describe, expect, it } from 'vitest';
import { emptyTruth } from '#simulator';
import {
  countRequest,
  countResponse,
  emptyCount,
  operationName,
  writtenItemKind,
} from '../bench/capacity-counter.js';
import { quietHealthWrites } from '../bench/fleet-health-quiet.js';
import {
  compareToTruth,
  fleetHealthCost,
  freshness,
  percentile,
  recordBilling,
  steadyKinesis,
  visibleEvents,
} from '../bench/fleet-metrics.js';
import { FLEET_PROFILES, selectProfiles, slowMotion } from '../bench/fleet-profiles.js';

describe('Function: recordBilling', () => {
  it('rounds a record up to 1 KB for on-demand Kinesis, 25 KB PUT units, 5 KB for Firehose', () => {
    // Prepare: a 400-byte plain event with a 10-byte key, and a 6,000-byte aggregate
    const small = { data: new Uint8Array(400), partitionKey: 'store-0001' };
    const large = { data: new Uint8Array(6_000), partitionKey: 'store-0001' };

    // Act & Assess
    expect(recordBilling(small)).toEqual({
      kinesisKb: 1,
      putPayloadUnits: 1,
      firehoseBytes: 5_120,
    });
    expect(recordBilling(large)).toEqual({
      kinesisKb: 6,
      putPayloadUnits: 1,
      firehoseBytes: 10_240,
    });
  });

  it('counts the partition key toward the Kinesis meters, not Firehose', () => {
    const record = { data: new Uint8Array(1_020), partitionKey: 'store-0001' };
    expect(recordBilling(record)).toMatchObject({ kinesisKb: 2, firehoseBytes: 5_120 });
    const unit = { data: new Uint8Array(25 * 1024 - 9), partitionKey: 'store-0001' };
    expect(recordBilling(unit).putPayloadUnits).toBe(2);
  });
});

describe('Function: percentile', () => {
  it('takes the nearest rank of a sorted list', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('Function: freshness', () => {
  it('measures each accepted event to the first probe that shows it', () => {
    // Prepare: three events accepted at 0, 100 and 200 ms; the API shows one at 1,000 ms, all at 3,000
    const accepted = [0, 100, 200];
    const probes = [
      { at: 500, visible: 0 },
      { at: 1_000, visible: 1 },
      { at: 2_000, visible: 1 },
      { at: 3_000, visible: 3 },
    ];

    // Act
    const result = freshness(accepted, probes);

    // Assess
    expect(result).toEqual({ delaysMs: [1_000, 2_900, 2_800], unseen: 0 });
  });

  it('never credits a probe taken before the event was accepted', () => {
    const result = freshness(
      [1_000],
      [
        { at: 900, visible: 5 },
        { at: 1_500, visible: 5 },
      ],
    );
    expect(result.delaysMs).toEqual([500]);
  });

  it('counts events no probe ever showed as unseen', () => {
    const result = freshness([0, 10, 20], [{ at: 100, visible: 1 }]);
    expect(result).toEqual({ delaysMs: [100], unseen: 2 });
  });
});

describe('Function: compareToTruth', () => {
  const truth = () => {
    const t = emptyTruth();
    t.shrink.detections = 3;
    t.shrink.detectionsByCategory = { walkout: 2, other: 1 };
    t.shrink.lossDetectedCents = 900;
    t.shrink.outcomes = 1;
    t.shrink.outcomesByKind = { recovered: 1 };
    t.shrink.lossPreventedCents = 300;
    t.hours.incidents = 1;
    t.hours.minutesSaved = 40;
    return t;
  };
  const api = (over: Record<string, unknown> = {}) => ({
    shrink: {
      detections: 3,
      detectionsByCategory: { walkout: 2, other: 1 },
      lossDetectedCents: 900,
      lossPreventedCents: 300,
      confirmedLossCents: 0,
      outcomes: 1,
      outcomesByKind: { recovered: 1 },
      falsePositives: 0,
      falsePositiveRate: 0,
      ...over,
    },
    hoursSaved: {
      incidents: 1,
      incidentsByResolution: {},
      engineerMinutes: 0,
      minutesSaved: 40,
      hoursSaved: 0.67,
    },
  });

  it('is exact when every count, breakdown and sum equals the truth', () => {
    expect(compareToTruth(truth(), api())).toEqual({
      expected: 5,
      visible: 5,
      lost: 0,
      doubleCounted: 0,
      exact: true,
    });
    expect(visibleEvents(api())).toBe(5);
  });

  it('tells a lost event, a double count and a wrong cent apart', () => {
    expect(compareToTruth(truth(), api({ detections: 2 }))).toMatchObject({
      lost: 1,
      exact: false,
    });
    expect(compareToTruth(truth(), api({ outcomes: 2 }))).toMatchObject({
      doubleCounted: 1,
      exact: false,
    });
    expect(compareToTruth(truth(), api({ lossDetectedCents: 901 }))).toMatchObject({
      lost: 0,
      doubleCounted: 0,
      exact: false,
    });
    expect(compareToTruth(truth(), api({ detectionsByCategory: { walkout: 3 } })).exact).toBe(
      false,
    );
  });

  it('reads an absent hours-saved section as zero incidents', () => {
    const t = truth();
    t.hours.incidents = 0;
    t.hours.minutesSaved = 0;
    expect(compareToTruth(t, { ...api(), hoursSaved: null })).toMatchObject({ exact: true });
  });
});

describe('Function: countRequest', () => {
  it('counts items per operation and asks for the consumed capacity', () => {
    // Prepare
    const count = emptyCount();
    const batchWrite = { RequestItems: { a: [{}, {}], b: [{}] } };
    const batchGet = { RequestItems: { a: { Keys: [{}, {}, {}] } } };
    const put: Record<string, unknown> = {};

    // Act
    countRequest(count, operationName('BatchWriteItemCommand'), batchWrite);
    countRequest(count, operationName('DynamoDB_20120810.BatchGetItem'), batchGet);
    countRequest(count, 'PutItem', put);
    const other = countRequest(count, 'DescribeTable', {});
    countResponse(count, 'BatchWriteItem', {
      ConsumedCapacity: [{ CapacityUnits: 3 }, { CapacityUnits: 2 }],
    });
    countResponse(count, 'PutItem', { ConsumedCapacity: { CapacityUnits: 15 } });
    countResponse(count, 'BatchGetItem', { ConsumedCapacity: [{ CapacityUnits: 1.5 }] });

    // Assess
    expect(count).toEqual({ writes: 4, reads: 3, writeUnits: 20, readUnits: 1.5, requests: 3 });
    expect(other).toBe(false);
    expect(put.ReturnConsumedCapacity).toBe('TOTAL');
  });
});

describe('Function: selectProfiles', () => {
  it('puts the baseline first and refuses an unknown profile', () => {
    expect(selectProfiles('baseline').map(([n]) => n)).toEqual(['baseline']);
    expect(selectProfiles('').map(([n]) => n)).toEqual(['baseline']);
    expect(() => selectProfiles('baseline,gateway-typo')).toThrow(/unknown profile/);
  });

  it("gives the baseline today's event source settings", () => {
    expect(FLEET_PROFILES.baseline.eventSource).toEqual({
      batchSize: 5_000,
      maxBatchingWindowMs: 5_000,
    });
  });

  it("changes only the event source in the window candidates, within Lambda's limits", () => {
    for (const name of ['window-30s', 'window-60s', 'window-120s'] as const) {
      const { edge, eventSource } = FLEET_PROFILES[name];
      expect(edge).toEqual(FLEET_PROFILES.baseline.edge);
      expect(eventSource.batchSize).toBeLessThanOrEqual(10_000);
      expect(eventSource.maxBatchingWindowMs).toBeLessThanOrEqual(300_000);
    }
  });
});

describe('Function: slowMotion', () => {
  it('stretches the linger and the batching window, and nothing else', () => {
    const slow = slowMotion(FLEET_PROFILES.baseline, 4);
    expect(slow.edge).toEqual({ kind: 'per-lane', lingerMs: 400, partitionBy: 'store' });
    expect(slow.eventSource).toEqual({ batchSize: 5_000, maxBatchingWindowMs: 20_000 });
    expect(slowMotion(FLEET_PROFILES.baseline, 1)).toEqual(FLEET_PROFILES.baseline);
    expect(() => slowMotion(FLEET_PROFILES.baseline, 0.5)).toThrow(RangeError);
  });

  it("stretches a gateway's linger with its lanes'", () => {
    const slow = slowMotion(FLEET_PROFILES['gateway-window-60s'], 2);
    expect(slow.edge).toEqual({
      kind: 'gateway',
      lingerMs: 200,
      gatewayLingerMs: 90_000,
      sizeAwareFlush: true,
    });
    expect(slow.eventSource).toEqual({ batchSize: 10_000, maxBatchingWindowMs: 120_000 });
  });
});

describe('Function: writtenItemKind', () => {
  it('names the aggregate item a single-item write touches, from its key', () => {
    // Prepare
    const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

    // Act
    const kinds = [
      writtenItemKind('PutItem', { Item: key('STORE#s1', 'SLOT#2026-12-01T10:15') }),
      writtenItemKind('PutItem', { Item: key('STORE#s1', 'DAY#2026-12-01') }),
      writtenItemKind('PutItem', { Item: key('TEAM#t1', 'PART#2026-W49#3') }),
      writtenItemKind('PutItem', { Item: key('TEAM#t1', 'WEEK#2026-W49') }),
      writtenItemKind('UpdateItem', { Key: key('ROLLUP#ORG#DAY#3', '2026-12-01') }),
      writtenItemKind('UpdateItem', { Key: key('ROLLUP#REGION#eu#DAY#1', '2026-12-01') }),
      writtenItemKind('UpdateItem', { Key: key('ROLLUP#ORG#WEEK#0', '2026-W49') }),
      writtenItemKind('PutItem', { Item: key('FLEET#us-east', 'STORE#store-0001') }),
      writtenItemKind('PutItem', { Item: key('FLEETCOV', 'us-east#store-0001') }),
      writtenItemKind('PutItem', { Item: key('DEVICE#d1', 'DEVICE') }),
      writtenItemKind('BatchWriteItem', { RequestItems: {} }),
    ];

    // Assert
    expect(kinds).toEqual([
      'store slot',
      'store day',
      'team week part',
      'team week',
      'org day rollup',
      'region day rollup',
      'org week rollup',
      'fleet health',
      'coverage summary',
      'other',
      'other',
    ]);
  });
});

describe('Function: steadyKinesis', () => {
  it('counts only the records that arrived while the intake ran, leaving out the drain', () => {
    // [arrival, events, billed KB, Firehose bytes]: two full records inside, two partial
    // flushes after the intake stopped.
    const log = [
      [1_000, 10, 1, 5_120],
      [2_000, 11, 1, 5_120],
      [3_500, 2, 1, 5_120],
      [3_600, 3, 1, 5_120],
    ] as const;
    expect(steadyKinesis(log, 500, 3_000)).toEqual({
      steadyRecordShare: 0.5,
      steadyEventsPerRecord: 10.5,
      steadyKinesisKbPerEvent: round4(2 / 21),
      steadyFirehoseBytesPerEvent: Math.round(10_240 / 21),
    });
    // Over the whole run the partial records weigh in.
    expect(steadyKinesis(log, 0, 10_000).steadyKinesisKbPerEvent).toBe(round4(4 / 26));
  });
});

const round4 = (n: number) => Math.round(n * 1e4) / 1e4;

describe('Function: fleetHealthCost', () => {
  // Round figures: a store of 40 devices sending a status each every 5 minutes (8 a minute).
  const shape = {
    statusesPerStorePerMinute: 8,
    eventsPerStorePerMinute: 20,
    quietWritesPerStorePerMinute: 0.1,
    unitsPerWrite: 4,
  };
  const run = {
    healthWrites: 500,
    healthUnits: 1_000,
    coverageUnits: 500,
    allUnits: 6_000,
    events: 20_000,
    statuses: 8_000,
  };

  it("states fleet health's write units per event and share over the whole run", () => {
    const cost = fleetHealthCost(run, undefined, shape);

    expect(cost.run).toEqual({
      writeUnitsPerEvent: 0.075,
      share: 0.25,
      writesPerStatus: 0.0625,
      unitsPerWrite: 3,
    });
    expect(cost.afterWarmUp).toBeUndefined();
    expect(cost.steady.bound).toBeUndefined();
  });

  it('puts the steady state between the quiet writes alone and the material changes measured after the warm-up plus those', () => {
    // Prepare: after the warm-up, one write in 80 statuses (0.1 a store a minute).
    const after = {
      healthWrites: 10,
      healthUnits: 30,
      coverageUnits: 10,
      allUnits: 1_000,
      events: 4_000,
      statuses: 800,
    };

    // Act
    const cost = fleetHealthCost(run, after, shape);

    // Assess: the quiet writes alone are 0.1 writes a store a minute, 0.4 units over 20 events; the
    // run's other units are 4,500 over 20,000 events (0.225).
    expect(cost.afterWarmUp).toMatchObject({ writesPerStatus: 0.0125, share: 0.04 });
    expect(cost.steady.floor).toEqual({
      writesPerStorePerMinute: 0.1,
      writeUnitsPerEvent: 0.02,
      share: Math.round((0.02 / 0.245) * 10_000) / 10_000,
    });
    expect(cost.steady.bound).toEqual({
      writesPerStorePerMinute: 0.2,
      writeUnitsPerEvent: 0.04,
      share: Math.round((0.04 / 0.265) * 10_000) / 10_000,
    });
  });

  it('leaves the window after the warm-up out when no status reached it', () => {
    const cost = fleetHealthCost(run, { ...run, statuses: 0 }, shape);

    expect(cost.afterWarmUp).toBeUndefined();
    expect(cost.steady.floor.writesPerStorePerMinute).toBe(0.1);
  });
});

describe('Function: quietHealthWrites', () => {
  it.each([300_000, 600_000])(
    "replays a quiet store's statuses, each every %i ms, through the merge: more than the refresh alone, bounded",
    (statusIntervalMs) => {
      const shape = { devices: 41, statusIntervalMs, batchMs: 60_000 };
      const writes = quietHealthWrites(shape);

      // The refresh alone would be 0.1 a minute; keeping 41 devices' entries fresh, each at its
      // own offset, costs more, and never more than a write per batch.
      expect(writes).toBeGreaterThan(0.1);
      expect(writes).toBeLessThanOrEqual(1);
      expect(quietHealthWrites(shape)).toBe(writes);
      // Aligned to the store's phase, as daemons send them: the refresh alone, whether the
      // store's statuses reach the stream within 2 s or spread over 47 s (a gateway's linger).
      expect(quietHealthWrites({ ...shape, alignedWithinMs: 2_000 })).toBeCloseTo(0.1, 2);
      expect(quietHealthWrites({ ...shape, alignedWithinMs: 47_000 })).toBeLessThan(0.15);
      // One device: its entry is refreshed by its own status, about every RESEEN_AFTER_MS.
      const one = quietHealthWrites({ ...shape, devices: 1 });
      expect(one).toBeGreaterThanOrEqual(1 / 15);
      expect(one).toBeLessThanOrEqual(0.1 + 1e-9);
    },
  );
});
