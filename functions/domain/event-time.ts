import { decodeTime } from 'ulid';
import type { TelemetryEvent } from '#contract';
import type { Rejection } from './route-event.js';

/**
 * The rule for event times that cannot be right, judged against the time Kinesis accepted the
 * record (its approximate arrival time, which is kept in the dead letter):
 *
 * - an event time more than `futureToleranceMs` after arrival is `clock_skew`: the sender's
 *   clock runs ahead, and counting it would credit a day that has not happened yet;
 * - an event time more than `horizonMs` before arrival is `too_old`: periods that far back
 *   are reported and closed, and a silently changing past is worse than a visible dead letter.
 *
 * The times judged are the ones that place the event: `occurredAt`, the detection instant
 * inside `detectionId`, and an incident's `resolvedAt`. Everything inside the window counts
 * on its own timestamps (a clock a few hours behind still lands on the right store day
 * except near midnight). The decision depends on arrival, so two copies of one event may be
 * judged differently; where each copy counts never does, so a copy is never counted twice.
 */
export interface EventTimeRules {
  readonly futureToleranceMs: number;
  readonly horizonMs: number;
}

export const DEFAULT_EVENT_TIME_RULES: EventTimeRules = {
  futureToleranceMs: 15 * 60_000,
  horizonMs: 35 * 86_400_000,
};

function placingTimes(event: TelemetryEvent): [string, number][] {
  const times: [string, number][] = [['occurredAt', Date.parse(event.occurredAt)]];
  if (event.type === 'oncall_incident') times.push(['resolvedAt', Date.parse(event.resolvedAt)]);
  else if (event.type !== 'device_status')
    times.push(['detectionId', decodeTime(event.detectionId)]);
  return times;
}

const human = (ms: number) => {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  return minutes < 120
    ? `${minutes}m`
    : minutes < 2_880
      ? `${Math.round(minutes / 60)}h`
      : `${Math.round(minutes / 1_440)}d`;
};

/** Why an event's time cannot be accepted, or undefined when it can. */
export function checkEventTime(
  event: TelemetryEvent,
  arrivedAt: number,
  rules: EventTimeRules,
): Rejection | undefined {
  for (const [field, at] of placingTimes(event)) {
    if (at > arrivedAt + rules.futureToleranceMs) {
      return {
        reason: 'clock_skew',
        detail: `${field} is ${human(at - arrivedAt)} ahead of the record's arrival (tolerance ${human(rules.futureToleranceMs)})`,
      };
    }
    if (at < arrivedAt - rules.horizonMs) {
      return {
        reason: 'too_old',
        detail: `${field} is ${human(arrivedAt - at)} before the record's arrival (horizon ${human(rules.horizonMs)})`,
      };
    }
  }
  return undefined;
}
