import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { checkEventTime, DEFAULT_EVENT_TIME_RULES } from '../../functions/domain/event-time.js';
import { detection, incident, NOON } from '../helpers/factories.js';

const rules = DEFAULT_EVENT_TIME_RULES;
const at = (ms: number) => ({ occurredAt: new Date(ms).toISOString(), detectionId: ulid(ms) });

describe('Rule: event time against arrival', () => {
  it('accepts an event within the tolerance ahead and the horizon behind', () => {
    expect(checkEventTime(detection(at(NOON + 14 * 60_000)), NOON, rules)).toBeUndefined();
    expect(checkEventTime(detection(at(NOON - 34 * 86_400_000)), NOON, rules)).toBeUndefined();
    expect(checkEventTime(detection(at(NOON - 3 * 3_600_000)), NOON, rules)).toBeUndefined();
  });

  it('rejects a sender clock running ahead as clock_skew, saying by how much', () => {
    expect(checkEventTime(detection(at(NOON + 3 * 3_600_000)), NOON, rules)).toEqual({
      reason: 'clock_skew',
      detail: "occurredAt is 3h ahead of the record's arrival (tolerance 15m)",
    });
  });

  it('judges the detection instant as well as occurredAt', () => {
    const e = detection({
      occurredAt: new Date(NOON).toISOString(),
      detectionId: ulid(NOON + 86_400_000),
    });
    expect(checkEventTime(e, NOON, rules)).toMatchObject({
      reason: 'clock_skew',
      detail: expect.stringContaining('detectionId'),
    });
  });

  it('rejects an event older than the horizon as too_old', () => {
    expect(checkEventTime(detection(at(NOON - 40 * 86_400_000)), NOON, rules)).toMatchObject({
      reason: 'too_old',
    });
  });

  it("judges an incident's resolvedAt", () => {
    const future = new Date(NOON + 2 * 86_400_000).toISOString();
    const e = incident({
      occurredAt: new Date(NOON).toISOString(),
      openedAt: new Date(NOON).toISOString(),
      resolvedAt: future,
    });
    expect(checkEventTime(e, NOON, rules)).toMatchObject({
      reason: 'clock_skew',
      detail: expect.stringContaining('resolvedAt'),
    });
  });
});
