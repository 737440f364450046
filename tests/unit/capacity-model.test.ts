import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type FleetFigures,
  fitInverse,
  fleetFiguresFor,
  type MeasuredFigures,
  plan,
  touchedDensity,
  type Workload,
} from '../../infra/tools/cost-model/capacity-model.js';
import { PRICES } from '../../infra/tools/cost-model/prices.js';

const file = JSON.parse(readFileSync('infra/tools/cost-model/measured-figures.json', 'utf8'));
const figures: MeasuredFigures = {
  edge: { ...file.edge, plainEventBytes: 350 },
  processor: file.processor,
  storage: { ...file.storage, archiveLineBytes: 600, archiveCompression: 6, homeKeptDays: 51 },
};
const workload: Workload = {
  stores: 10_500,
  lanes: 40,
  eventsPerLaneHour: 30,
  openHoursPerDay: 16,
  peakFactor: 2,
  devicesPerStore: 40,
  lingerMs: 100,
  partitionBy: 'store',
  teams: 20,
  incidentsPerTeamDay: 30,
  kinesisMode: 'on-demand',
  dynamodbMode: 'on-demand',
  dynamodbTargetUtilization: 0.7,
  batchSize: 5_000,
  batchWindowMs: 5_000,
  parallelizationFactor: 1,
  processorMemoryMb: 1769,
  apiRequestsPerDay: 20_000,
  apiLeaderboardShare: 0.5,
  archiveDaysInStandard: 90,
  archiveRetentionDays: 365,
};

describe('Function: fitInverse', () => {
  it('passes through two points of y = a + b/d exactly', () => {
    const f = fitInverse([
      { d: 1, y: 3 },
      { d: 4, y: 1.5 },
    ]);
    // b = (3 - 1.5) / (1 - 0.25) = 2, a = 1
    expect(f(2)).toBeCloseTo(2);
    expect(f(1)).toBeCloseTo(3);
  });
});

describe('Function: touchedDensity', () => {
  it('is at least one event per store touched and tends to the mean for busy stores', () => {
    expect(touchedDensity(0.001)).toBeCloseTo(1, 2);
    expect(touchedDensity(20)).toBeCloseTo(20, 3);
  });
});

describe('Function: plan', () => {
  it('counts the events of the fleet: stores x lanes x rate x open hours, plus incidents', () => {
    const { ours } = plan(workload, figures, PRICES);

    expect(ours.events.perSecondAverageOpen).toBeCloseTo((10_500 * 40 * 30) / 3600);
    expect(ours.events.perMonth).toBeCloseTo(3_500 * 16 * 3600 * 30.4 + 20 * 30 * 30.4);
  });

  it('gives the naive design one record and one billed KB per event, and its measured writes', () => {
    const { naive } = plan(workload, figures, PRICES);

    expect(naive.kinesis.eventsPerRecord).toBe(1);
    expect(naive.kinesis.billedKbPerEvent).toBe(1);
    expect(naive.dynamodb.writesPerEvent).toBe(file.processor.naive.writesPerEvent);
  });

  it('packs events into records only as fast as one edge client makes them within its linger', () => {
    const quiet = plan(workload, figures, PRICES).ours.kinesis.eventsPerRecord;
    const storeGateway = plan({ ...workload, devicesPerStore: 1, lingerMs: 5_000 }, figures, PRICES)
      .ours.kinesis.eventsPerRecord;

    expect(quiet).toBeLessThan(1.01);
    expect(storeGateway).toBeCloseTo(1 + ((40 * 30 * 2) / 3600) * 5);
    expect(
      plan(
        { ...workload, devicesPerStore: 1, lingerMs: 10_000, eventsPerLaneHour: 5_000 },
        figures,
        PRICES,
      ).ours.kinesis.eventsPerRecord,
    ).toBe(file.edge.maxEventsPerRecord);
  });

  it('fewer writes per event as a batch holds more events per store', () => {
    const small = plan({ ...workload, batchSize: 500, batchWindowMs: 1_000 }, figures, PRICES).ours;
    const large = plan(workload, figures, PRICES).ours;
    const byDevice = plan({ ...workload, partitionBy: 'device' }, figures, PRICES).ours;

    expect(large.lambda.eventsPerStorePerBatch).toBeGreaterThan(
      small.lambda.eventsPerStorePerBatch,
    );
    expect(large.dynamodb.writeUnitsPerEvent).toBeLessThan(small.dynamodb.writeUnitsPerEvent);
    expect(byDevice.dynamodb.writeUnitsPerEvent).toBeGreaterThan(large.dynamodb.writeUnitsPerEvent);
  });

  it('adds its cost lines up to the total and scales with the fleet', () => {
    const one = plan(workload, figures, PRICES).ours.monthlyCostUsd;
    const two = plan({ ...workload, stores: 21_000 }, figures, PRICES).ours.monthlyCostUsd;
    const { total, ...lines } = one;

    expect(Object.values(lines).reduce((s, v) => s + v, 0)).toBeCloseTo(total);
    expect(two.dynamodb / one.dynamodb).toBeCloseTo(2, 1);
  });

  it("stores a year of aggregates but only the last 51 days of this design's expiring home items", () => {
    const kept = {
      ...figures,
      storage: { ...figures.storage, aggregateBytesPerEvent: 20, homeBytesPerEvent: 0 },
    };
    const expiring = {
      ...figures,
      storage: { ...kept.storage, homeBytesPerEvent: 15 },
    };
    const all = plan(workload, kept, PRICES);
    const some = plan(workload, expiring, PRICES);
    const perMonthGb = all.ours.events.perMonth / 1_073_741_824;
    expect(all.ours.dynamodb.storageGbAfterYear).toBeCloseTo(perMonthGb * 12 * 20, 6);
    // 5 bytes kept a year, 15 bytes kept 51 days (of a 30.4-day month).
    expect(some.ours.dynamodb.storageGbAfterYear).toBeCloseTo(
      perMonthGb * (12 * 5 + (51 / 30.4) * 15),
      1,
    );
    // The naive design keeps its aggregates for good either way.
    expect(some.naive.dynamodb.storageGbAfterYear).toBe(all.naive.dynamodb.storageGbAfterYear);
  });

  it('refuses a fleet with no stores', () => {
    expect(() => plan({ ...workload, stores: 0 }, figures, PRICES)).toThrow(RangeError);
  });
});

describe('Function: plan, with a bench:fleet run', () => {
  const fleet: FleetFigures = {
    command: 'npm run bench:fleet -- --stores 100 --minutes 3 --profile window-60s',
    measuredAt: '2026-12-01',
    profile: 'window-60s',
    settings: {
      lanes: 40,
      eventsPerLaneHour: 30,
      devicesPerStore: 40,
      lingerMs: 100,
      partitionBy: 'store',
      batchSize: 10_000,
      batchWindowMs: 60_000,
    },
    eventsPerRecord: 2,
    kinesisKbPerEvent: 0.5,
    firehoseBytesPerEvent: 2_560,
    dynamodbWritesPerEvent: 0.1,
    writeUnitsPerEvent: 0.2,
    readUnitsPerEvent: 0.4,
    processorCpuMsPer1000Events: 500,
    eventsPerStorePerBatch: 20,
    freshnessP50Seconds: 40,
    freshnessP99Seconds: 80,
  };
  const withFleet: MeasuredFigures = { ...figures, fleet };
  const atFleetSettings: Workload = { ...workload, batchSize: 10_000, batchWindowMs: 60_000 };

  it("uses the run's per-event figures for this design at the settings it measured", () => {
    const { ours, naive } = plan(atFleetSettings, withFleet, PRICES);
    const events = ours.events.perMonth;

    expect(ours.kinesis).toMatchObject({ eventsPerRecord: 2, billedKbPerEvent: 0.5 });
    expect(ours.kinesis.ingestGbPerMonth).toBeCloseTo((events * 0.5) / 1_048_576);
    expect(ours.archive.firehoseBilledGbPerMonth).toBeCloseTo((events * 2_560) / 1_073_741_824);
    expect(ours.lambda.eventsPerStorePerBatch).toBe(20);
    expect(ours.dynamodb).toMatchObject({
      writesPerEvent: 0.1,
      writeUnitsPerEvent: 0.2,
      readUnitsPerEvent: 0.4,
    });
    expect(ours.dynamodb.writeUnitsPerMonth).toBeCloseTo(events * 0.2);
    expect(ours.freshness).toEqual({ p50Seconds: 40, p99Seconds: 80 });
    expect(ours.sources.processor).toBe('bench:fleet (2026-12-01, profile window-60s)');
    // The naive design is not what the run measured.
    expect(naive.dynamodb.writeUnitsPerEvent).toBe(file.processor.naive.writeUnitsPerEvent);
    expect(naive.freshness).toBeUndefined();
  });

  it('extrapolates from bench:processor, and says so, at other settings', () => {
    const { ours } = plan({ ...atFleetSettings, partitionBy: 'device' }, withFleet, PRICES);
    const without = plan({ ...atFleetSettings, partitionBy: 'device' }, figures, PRICES).ours;

    expect(ours.dynamodb).toEqual(without.dynamodb);
    expect(ours.sources.processor).toMatch(/^bench:processor fit/);
    expect(ours.freshness).toBeUndefined();
    expect(
      fleetFiguresFor({ ...atFleetSettings, partitionBy: 'device' }, withFleet).differs,
    ).toEqual(['partitionBy']);
    expect(fleetFiguresFor(workload, withFleet).differs).toEqual(['batchSize', 'batchWindowMs']);
  });
});

describe('Function: plan, capacity modes', () => {
  it('puts the chosen mode of each service into the total and both into the comparison', () => {
    const onDemand = plan(workload, figures, PRICES).ours;
    const provisioned = plan(
      { ...workload, kinesisMode: 'provisioned', dynamodbMode: 'provisioned' },
      figures,
      PRICES,
    ).ours;

    expect(onDemand.capacityModes).toEqual(provisioned.capacityModes);
    expect(onDemand.monthlyCostUsd.dynamodb).toBe(onDemand.capacityModes.dynamodb.onDemand.costUsd);
    expect(provisioned.monthlyCostUsd.dynamodb).toBe(
      provisioned.capacityModes.dynamodb.provisioned.costUsd,
    );
    expect(provisioned.monthlyCostUsd.kinesis).toBe(
      provisioned.capacityModes.kinesis.provisioned.costUsd,
    );
  });

  it("sizes the aggregates table's writes from the events' write units per second", () => {
    const { ours } = plan(workload, figures, PRICES);
    const write = ours.capacityModes.dynamodb.provisioned.write;

    expect(write.peakPerSecond).toBeCloseTo(ours.dynamodb.writeUnitsPerSecondPeak);
    expect(write.meanOpenPerSecond).toBeCloseTo(3_500 * ours.dynamodb.writeUnitsPerEvent);
    expect(write.peakNeed).toBeCloseTo(write.peakPerSecond / 0.7);
  });

  it('provisions the shards asked for, and plans the batches on them', () => {
    const { ours } = plan(
      { ...workload, kinesisMode: 'provisioned', kinesisShards: 18 },
      figures,
      PRICES,
    );

    expect(ours.kinesis.shards).toBe(18);
    expect(ours.kinesis.neededShards).toBe(9);
    expect(ours.lambda.concurrencyAvailable).toBe(18);
  });
});
