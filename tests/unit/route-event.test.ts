import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { TEAM_WEEK_PARTS } from '../../functions/domain/aggregate-keys.js';
import { routeEvent } from '../../functions/domain/route-event.js';
import { detection, incident, outcome, REGISTRY } from '../helpers/factories.js';

const view = {
  device: (id: string) => REGISTRY.devices.get(id),
  store: (id: string) => REGISTRY.stores.get(id),
};

describe('Function: routeEvent', () => {
  it('sends a detection to the store slot of its detection id, in the store time zone', () => {
    // 02:44Z on 2026-06-16 is still the 15th in New York: 22:44, in the 22:30 slot.
    const d = detection({ detectionId: ulid(Date.UTC(2026, 5, 16, 2, 44, 59)) });
    expect(routeEvent(d, view)).toEqual({
      ok: true,
      home: { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '22:30' },
      region: 'us-east',
      test: false,
    });
  });

  it("marks a test store's events as test data, so that they roll up nowhere", () => {
    // Prepare: store-0001 registered as a test store (StoreInfo.test).
    const testView = {
      ...view,
      store: (id: string) => {
        const store = REGISTRY.stores.get(id);
        return store === undefined ? undefined : { ...store, test: true };
      },
    };
    // Act
    const routing = routeEvent(detection(), testView);
    // Assess
    expect(routing).toMatchObject({ ok: true, region: 'us-east', test: true });
    expect(routeEvent(detection(), view)).toMatchObject({ ok: true, test: false });
  });

  it('puts the first and last instants of a local day in its first and last slots', () => {
    const at = (ms: number) =>
      routeEvent(detection({ detectionId: ulid(ms) }), view) as { home: unknown };
    // New York is UTC-4 in June.
    expect(at(Date.UTC(2026, 5, 15, 4, 0, 0)).home).toMatchObject({
      date: '2026-06-15',
      slot: '00:00',
    });
    expect(at(Date.UTC(2026, 5, 16, 3, 59, 59, 999)).home).toMatchObject({
      date: '2026-06-15',
      slot: '23:45',
    });
  });

  it('sends an outcome to its detection day even when it is resolved the next day', () => {
    const d = detection({ detectionId: ulid(Date.UTC(2026, 5, 16, 3, 59)) });
    const o = outcome(d, { occurredAt: '2026-06-16T13:00:00.000Z' });
    expect(routeEvent(o, view)).toMatchObject({ ok: true, home: { date: '2026-06-15' } });
  });

  it('sends an incident to a part of its team ISO week of resolution, by its id', () => {
    const first = incident({ resolvedAt: '2026-06-21T23:59:00.000Z' });
    const route = routeEvent(first, view);
    expect(route).toMatchObject({
      ok: true,
      home: { kind: 'team-part', teamId: 'team-pos', week: '2026-W25' },
    });
    // Another report of the same incident, later in the week, meets the first in one item.
    const again = incident({
      incidentId: first.incidentId,
      resolvedAt: '2026-06-15T08:00:00.000Z',
    });
    expect(routeEvent(again, view)).toEqual(route);
    // Monday 00:00 UTC starts the next ISO week.
    expect(routeEvent(incident({ resolvedAt: '2026-06-22T00:00:00.000Z' }), view)).toMatchObject({
      ok: true,
      home: { kind: 'team-part', week: '2026-W26' },
    });
    // Incident ids spread over every part.
    const parts = new Set(
      Array.from({ length: 400 }, (_, i) => {
        const r = routeEvent(incident({ incidentId: `inc-${i}` }), view);
        return r.ok && r.home.kind === 'team-part' ? r.home.part : -1;
      }),
    );
    expect([...parts].sort((x, y) => x - y)).toEqual([...Array(TEAM_WEEK_PARTS).keys()]);
  });

  it('rejects an unregistered device', () => {
    expect(routeEvent(detection({ deviceId: 'panel-rogue' }), view)).toMatchObject({
      ok: false,
      rejection: { reason: 'unknown_device' },
    });
  });

  it('rejects a panel PC that claims another store', () => {
    expect(routeEvent(detection({ storeId: 'store-0002' }), view)).toMatchObject({
      ok: false,
      rejection: { reason: 'store_mismatch' },
    });
  });

  it('rejects an agent reporting for another team, and a panel PC reporting incidents', () => {
    expect(routeEvent(incident({ teamId: 'team-vision' }), view)).toMatchObject({
      ok: false,
      rejection: { reason: 'team_mismatch' },
    });
    expect(routeEvent(incident({ deviceId: 'panel-store-0001-lane-01' }), view)).toMatchObject({
      ok: false,
      rejection: { reason: 'team_mismatch' },
    });
  });

  it('rejects an incident naming an unknown store', () => {
    expect(routeEvent(incident({ storeId: 'store-9999' }), view)).toMatchObject({
      ok: false,
      rejection: { reason: 'unknown_store' },
    });
  });
});
