import { describe, expect, it } from 'vitest';
import { partitionKeyOf } from '../../edge-client/src/core/edge-client.js';
import { detection, incident } from '../helpers/factories.js';

const payload = (event: object) => Buffer.from(JSON.stringify(event));

describe('Function: partitionKeyOf', () => {
  it("keys a store's events by the store, so all its panel PCs share a shard", () => {
    const lane1 = detection({ deviceId: 'panel-store-0001-lane-01' });
    const lane2 = detection({ deviceId: 'panel-store-0001-lane-02' });

    expect(partitionKeyOf(payload(lane1), 'store')).toBe('store-0001');
    expect(partitionKeyOf(payload(lane2), 'store')).toBe('store-0001');
  });

  it('falls back to the device for an incident that names no store', () => {
    const closed = incident();

    expect(partitionKeyOf(payload(closed), 'store')).toBe(closed.deviceId);
  });

  it('keys by device when asked to', () => {
    expect(partitionKeyOf(payload(detection()), 'device')).toBe('panel-store-0001-lane-01');
  });
});
