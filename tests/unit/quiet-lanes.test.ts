import { describe, expect, it } from 'vitest';
import { defineFleet } from '#simulator';
import { quietLanes } from '../../infra/local/local-simulation.js';

describe('Function: quietLanes', () => {
  it('quiets the last lane of the second and fourth store of every five, after one and three statuses', () => {
    // Prepare
    const fleet = defineFleet({ stores: 10, seed: 1 });
    const last = (i: number) => {
      const store = fleet.stores[i];
      return `panel-${store?.storeId}-${store?.lanes.at(-1)}`;
    };

    // Act
    const quiet = quietLanes(fleet);

    // Assess
    expect([...quiet]).toEqual([
      [last(1), 1],
      [last(3), 3],
      [last(6), 1],
      [last(8), 3],
    ]);
    expect(fleet.panels.map((p) => p.deviceId)).toEqual(expect.arrayContaining([...quiet.keys()]));
  });

  it('quiets none of a fleet of one store', () => {
    expect(quietLanes(defineFleet({ stores: 1, seed: 1 })).size).toBe(0);
  });
});
