import { describe, expect, it } from 'vitest';
import { FleetFiguresError, takeFleetFigures } from '../../infra/tools/cost-model/fleet-figures.js';
import { MEASURED_FLEET_FIGURES } from '../helpers/fleet-run-fixture.js';

const measured = MEASURED_FLEET_FIGURES;
const profile = (name: string, extra: Record<string, unknown> = {}) => ({
  profile: name,
  stores: 100,
  lanes: 4_000,
  minutes: 3,
  slow: 1,
  shardStores: 100,
  fleetShards: 9,
  exact: true,
  lost: 0,
  doubleCounted: 0,
  ...measured,
  ...extra,
});
const output = (...profiles: unknown[]) =>
  `[baseline] 3 min at 33.3 events/s\n{"not":"the line"}\n${JSON.stringify({ bench: 'fleet', profiles })}\n`;
const settings = {
  lanes: 40,
  eventsPerLaneHour: 30,
  devicesPerStore: 40,
  lingerMs: 100,
  partitionBy: 'store' as const,
  batchSize: 10_000,
  batchWindowMs: 60_000,
};

describe('Function: takeFleetFigures', () => {
  it("takes one profile's per-event figures, its command and date, and the settings given", () => {
    const entry = takeFleetFigures(output(profile('baseline'), profile('window-60s')), {
      profile: 'window-60s',
      settings,
      measuredAt: '2026-12-01',
    });

    expect(entry).toEqual({
      command: 'npm run bench:fleet -- --stores 100 --minutes 3 --profile window-60s',
      measuredAt: '2026-12-01',
      profile: 'window-60s',
      settings,
      ...measured,
    });
  });

  it('rebuilds the options that shaped the run into its command', () => {
    const entry = takeFleetFigures(
      output(profile('window-30s', { shardStores: 1170, slow: 6, fleetShards: 1 })),
      { profile: 'window-30s', settings },
    );

    expect(entry.command).toBe(
      'npm run bench:fleet -- --stores 100 --minutes 3 --profile window-30s --shard-stores 1170 --slow 6 --fleet-shards 1',
    );
    expect(entry.measuredAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    [
      'a run whose totals were not exact',
      output(profile('p', { exact: false, lost: 3 })),
      'p',
      /not exact \(lost 3/,
    ],
    [
      'a profile the line lacks',
      output(profile('baseline')),
      'p',
      /"p" is not in the line; it holds "baseline"/,
    ],
    ['output without the line', 'no json here\n', 'p', /no \{"bench":"fleet"/],
    [
      'a profile missing a figure',
      output({ ...profile('p'), writeUnitsPerEvent: undefined }),
      'p',
      /writeUnitsPerEvent/,
    ],
  ])('refuses %s', (_, text, name, why) => {
    expect(() => takeFleetFigures(text, { profile: name, settings })).toThrow(FleetFiguresError);
    expect(() => takeFleetFigures(text, { profile: name, settings })).toThrow(why);
  });

  it('refuses settings whose lanes per store the run contradicts', () => {
    expect(() =>
      takeFleetFigures(output(profile('p')), {
        profile: 'p',
        settings: { ...settings, lanes: 20 },
      }),
    ).toThrow(/ran 40 lanes per store; the settings say 20/);
  });
});
