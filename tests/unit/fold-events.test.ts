import { describe, expect, it } from 'vitest';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import { DEFAULT_BASELINES } from '../../functions/domain/hours-saved.js';
import { detection, incident, outcome } from '../helpers/factories.js';

const options = { baselines: DEFAULT_BASELINES };
const storeDay = () =>
  emptyHome(
    { kind: 'store-slot', storeId: 'store-0001', date: '2026-06-15', slot: '12:00' },
    'us-east',
  );
const teamWeekPart = () =>
  emptyHome({ kind: 'team-part', teamId: 'team-pos', week: '2026-W25', part: 3 }, undefined);

describe('Function: foldEvents (store day)', () => {
  it('counts a detection by category and its estimated loss', () => {
    const { next } = foldEvents(
      storeDay(),
      [detection({ category: 'walkout', estimatedLossCents: 4_000 })],
      options,
    );
    expect(next.lastDelta).toEqual({
      detections: 1,
      detections_walkout: 1,
      lossDetectedCents: 4_000,
    });
    expect(next.version).toBe(1);
  });

  it('counts a recovery as loss prevented', () => {
    const d = detection({ estimatedLossCents: 1_000 });
    const { lastDelta: delta } = foldEvents(
      storeDay(),
      [d, outcome(d, { outcome: 'recovered', recoveredCents: 1_000 })],
      options,
    ).next;
    expect(delta).toMatchObject({ outcomes: 1, outcomes_recovered: 1, lossPreventedCents: 1_000 });
    expect(delta.confirmedLossCents ?? 0).toBe(0);
  });

  it('counts a confirmed loss as the estimate less what was recovered', () => {
    const d = detection({ estimatedLossCents: 5_000 });
    const { lastDelta: delta } = foldEvents(
      storeDay(),
      [d, outcome(d, { outcome: 'confirmed_loss', recoveredCents: 1_500 })],
      options,
    ).next;
    expect(delta).toMatchObject({
      confirmedLossCents: 3_500,
      lossPreventedCents: 1_500,
      outcomes_confirmed_loss: 1,
    });
  });

  it('joins an outcome that arrived before its detection, in a later batch', () => {
    // Prepare
    const d = detection({ estimatedLossCents: 5_000 });
    const first = foldEvents(
      storeDay(),
      [outcome(d, { outcome: 'confirmed_loss', recoveredCents: 0 })],
      options,
    );

    // Act
    const second = foldEvents(first.next, [d], options);

    // Assess
    expect(first.next.lastDelta).toMatchObject({ outcomes: 1, outcomes_confirmed_loss: 1 });
    expect(first.next.lastDelta.confirmedLossCents ?? 0).toBe(0);
    expect(second.next.lastDelta).toMatchObject({
      detections: 1,
      lossDetectedCents: 5_000,
      confirmedLossCents: 5_000,
    });
  });

  it('counts a false positive without any money', () => {
    const d = detection();
    const { lastDelta: delta } = foldEvents(
      storeDay(),
      [d, outcome(d, { outcome: 'false_positive', recoveredCents: 0 })],
      options,
    ).next;
    expect(delta).toMatchObject({ outcomes_false_positive: 1 });
    expect(delta.lossPreventedCents ?? 0).toBe(0);
  });

  it('lets the first outcome of a detection win and counts later ones as ignored', () => {
    const d = detection();
    const { lastDelta: delta } = foldEvents(
      storeDay(),
      [
        d,
        outcome(d, { outcome: 'false_positive', recoveredCents: 0 }),
        outcome(d, { outcome: 'recovered', recoveredCents: 999 }),
      ],
      options,
    ).next;
    expect(delta).toMatchObject({ outcomes: 1, outcomes_false_positive: 1, ignoredOutcomes: 1 });
    expect(delta.lossPreventedCents ?? 0).toBe(0);
  });

  it('ignores a second detection event for the same detection id', () => {
    const d = detection();
    const { lastDelta: delta } = foldEvents(
      storeDay(),
      [d, detection({ detectionId: d.detectionId })],
      options,
    ).next;
    expect(delta).toMatchObject({ detections: 1, ignoredDetections: 1 });
  });

  it('drops a resent event (same device and seq) within a batch and across batches', () => {
    const d = detection();
    const once = foldEvents(storeDay(), [d, d], options);
    const again = foldEvents(once.next, [d], options);
    expect(once).toMatchObject({ counted: 1, duplicates: 1 });
    expect(again).toMatchObject({ counted: 0, duplicates: 1 });
    expect(again.next).toBe(once.next);
  });

  it('does not modify the state it was given', () => {
    const start = storeDay();
    foldEvents(start, [detection()], options);
    expect(start).toEqual(storeDay());
  });
});

describe('Function: foldEvents (team week)', () => {
  it('counts incidents by resolution, engineer minutes and minutes saved', () => {
    const { lastDelta: delta } = foldEvents(
      teamWeekPart(),
      [
        incident({ incidentClass: 'pos_offline', resolution: 'automated', engineerMinutes: 0 }),
        incident({ incidentClass: 'disk_full', resolution: 'manual', engineerMinutes: 45 }),
      ],
      options,
    ).next;
    expect(delta).toEqual({
      incidents: 2,
      incidents_automated: 1,
      incidents_manual: 1,
      engineerMinutes: 45,
      minutesSaved: 90, // pos_offline 90 - 0; disk_full max(0, 30 - 45)
    });
  });

  it('counts an incident id once even if reported twice', () => {
    const i = incident();
    const { lastDelta: delta } = foldEvents(
      teamWeekPart(),
      [i, incident({ incidentId: i.incidentId })],
      options,
    ).next;
    expect(delta).toMatchObject({ incidents: 1, ignoredIncidents: 1 });
  });
});
