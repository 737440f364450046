import { describe, expect, it } from 'vitest';
import {
  autoscaledDimension,
  dynamodbModes,
  kinesisModes,
  type TableLoad,
} from '../../infra/tools/cost-model/capacity-modes.js';
import { PRICES } from '../../infra/tools/cost-model/prices.js';

describe('Function: autoscaledDimension', () => {
  it('bounds auto scaling by the peak need and holds the open hours at the mean over the target', () => {
    // Prepare: 1,000 units/s in an average open hour, 2,000 at the peak, target 50%
    // Act
    const d = autoscaledDimension({ meanOpen: 1_000, peak: 2_000 }, 16, 0.5, 30);

    // Assess: peak need 2,000 / 0.5 = 4,000; min a tenth, max twice; open hours
    // 1,000 x 1.2 / 0.5 = 2,400; (2,400 x 16 + 400 x 8) x 30 unit-hours
    expect(d).toEqual({
      meanOpenPerSecond: 1_000,
      peakPerSecond: 2_000,
      peakNeed: 4_000,
      min: 400,
      max: 8_000,
      openHourCapacity: 2_400,
      closedHourCapacity: 400,
      capacityUnitHoursPerMonth: 1_248_000,
    });
  });

  it('never provisions an open hour below the minimum nor above the maximum', () => {
    const quietDay = autoscaledDimension({ meanOpen: 10, peak: 2_000 }, 16, 0.5, 30);
    const flatOut = autoscaledDimension({ meanOpen: 2_000, peak: 2_000 }, 24, 0.2, 30);

    expect(quietDay.openHourCapacity).toBe(400);
    // 2,000 x 1.2 / 0.2 = 12,000, within [1,000, 20,000]
    expect(flatOut.openHourCapacity).toBe(12_000);
    expect(autoscaledDimension({ meanOpen: 2_000, peak: 2_000 }, 24, 0.9, 30).openHourCapacity)
      // 2,000 x 1.2 / 0.9 = 2,666.7, within [223, 4,445]
      .toBeCloseTo(2_666.667, 2);
    expect(autoscaledDimension({ meanOpen: 0, peak: 0 }, 16, 0.7, 30).min).toBe(1);
  });
});

describe('Function: dynamodbModes', () => {
  // 100 events/s on average in 10 open hours, 200 at the peak; 0.5 write and 1 read unit per
  // event; the API reads 5 units/s on average over the open hours (5 x 10 x 3,600 x 30).
  const load: TableLoad = {
    openHoursPerDay: 10,
    peakFactor: 2,
    eventsPerSecondAverageOpen: 100,
    eventsPerSecondPeak: 200,
    writeUnitsPerEvent: 0.5,
    readUnitsPerEvent: 1,
    writeUnitsPerMonth: 1_000_000,
    readUnitsPerMonth: 3_000_000,
    apiReadUnitsPerMonth: 5_400_000,
    storageGbAfterYear: 10,
  };

  it('sizes writes from the events and reads from the events plus the API', () => {
    const { provisioned } = dynamodbModes(load, 0.5, PRICES, 30);

    // writes: 50 / 100 units/s -> need 200, bounds 20..400, open 120; (120 x 10 + 20 x 14) x 30
    expect(provisioned.write).toMatchObject({ min: 20, max: 400, openHourCapacity: 120 });
    expect(provisioned.write.capacityUnitHoursPerMonth).toBeCloseTo(44_400);
    // reads: 100 + 5 / 200 + 10 units/s -> need 420, bounds 42..840, open 252
    expect(provisioned.read).toMatchObject({ min: 42, max: 840, openHourCapacity: 252 });
    expect(provisioned.read.capacityUnitHoursPerMonth).toBeCloseTo(93_240);
  });

  it('prices on-demand per request unit and provisioned per unit-hour, storage alike', () => {
    const modes = dynamodbModes(load, 0.5, PRICES, 30);
    const storage = 10 * (0.25 + 0.2);

    // 1 million write units at $0.625, 3 million read units at $0.125
    expect(modes.onDemand.costUsd).toBeCloseTo(0.625 + 0.375 + storage, 6);
    // 44,400 WCU-hours at $0.00065, 93,240 RCU-hours at $0.00013
    expect(modes.provisioned.costUsd).toBeCloseTo(28.86 + 12.1212 + storage, 6);
  });
});

describe('Function: kinesisModes', () => {
  const stream = {
    neededShards: 3,
    ingestGbPerMonth: 100,
    recordBytes: 30_000,
    recordsPerMonth: 1_000_000,
    dataGbPerMonth: 50,
  };

  it('prices on-demand by stream-hour, ingest, two readers and retention, never below 4 shards', () => {
    const { onDemand } = kinesisModes(stream, undefined, PRICES, 730, 4);

    // 0.04 x 730 + 100 x 0.08 + 2 x 50 x 0.04 + 50 x 6/7 x 0.10
    expect(onDemand.costUsd).toBeCloseTo(29.2 + 8 + 4 + 30 / 7, 6);
    expect(onDemand.shards).toBe(4);
  });

  it('prices provisioned shards with extended retention and 25 KB PUT payload units', () => {
    const needed = kinesisModes(stream, undefined, PRICES, 730, 4).provisioned;
    const given = kinesisModes(stream, 5, PRICES, 730, 4).provisioned;

    // 3 x 730 x (0.015 + 0.02) + 1 million records x 2 payload units x $0.014 per million
    expect(needed).toMatchObject({ shards: 3, neededShards: 3 });
    expect(needed.costUsd).toBeCloseTo(76.65 + 0.028, 6);
    expect(given).toMatchObject({ shards: 5, neededShards: 3 });
    expect(given.costUsd).toBeCloseTo(127.75 + 0.028, 6);
  });
});
