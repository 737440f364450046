import { eachDate, isoWeekOfDate } from '#domain/calendar';
import { addCounters, type Counters, sumCounters } from '#domain/counters';
import { storeHealthReport } from '#domain/fleet-health';
import { shrinkFigures } from '#domain/impact-report';
import type { PersonPrincipal } from '#shared/principal';
import type { ImpactReader } from './impact-reader.js';
import type { StoreShrinkQuery } from './query-params.js';
import type { StoreShrinkResponse } from './response-schemas.js';
import { storeInScope } from './scope.js';

const bucketOf = (granularity: StoreShrinkQuery['granularity'], date: string) =>
  granularity === 'day' ? date : granularity === 'week' ? isoWeekOfDate(date) : date.slice(0, 7);

/**
 * A store's shrink series by day, ISO week or month (every bucket of the period, zeros
 * included). A store outside the token's scope is refused with 403 before anything about it
 * is read; an unknown store in scope is 404.
 */
export async function storeShrinkFor(
  principal: PersonPrincipal,
  storeId: string,
  query: StoreShrinkQuery,
  reader: ImpactReader,
  currency: string,
  now = Date.now(),
): Promise<StoreShrinkResponse> {
  const store = await storeInScope(principal, storeId, reader);
  const [days, [health]] = await Promise.all([
    reader.storeDays(storeId, query.from, query.to),
    reader.storesHealth([{ storeId, region: store.region }]),
  ]);
  const buckets = new Map<string, Counters>();
  for (const date of eachDate(query.from, query.to)) {
    const key = bucketOf(query.granularity, date);
    buckets.set(key, addCounters(buckets.get(key) ?? {}, days.get(date) ?? {}));
  }
  return {
    storeId,
    region: store.region,
    timeZone: store.timeZone,
    period: { from: query.from, to: query.to },
    granularity: query.granularity,
    currency,
    total: shrinkFigures(sumCounters(days.values())),
    series: [...buckets].map(([period, counters]) => ({ period, ...shrinkFigures(counters) })),
    ...(health !== undefined && { coverage: coverageOf(health, now, query) }),
  };
}

function coverageOf(
  health: Parameters<typeof storeHealthReport>[0],
  now: number,
  period: { readonly from: string; readonly to: string },
): NonNullable<StoreShrinkResponse['coverage']> {
  const report = storeHealthReport(health, now);
  return {
    asOf: new Date(now).toISOString(),
    devicesReporting: report.reporting,
    devicesKnown: report.known,
    silent: [...report.silent],
    lanes: report.lanes,
    gapDays: report.gapDays.filter((d) => d >= period.from && d <= period.to),
    ...(report.completeThrough !== undefined && { completeThrough: report.completeThrough }),
  };
}
