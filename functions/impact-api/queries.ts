import { eachDate, isoWeekOfDate } from '../domain/calendar.js';
import { type Counters, sumCounters } from '../domain/counters.js';
import {
  type HoursSavedFigures,
  hoursSavedFigures,
  type ShrinkFigures,
  shrinkFigures,
} from '../domain/impact-report.js';
import type { ImpactReader } from './impact-reader.js';
import type { Principal } from './principal.js';
import { forbidden, notFound } from './problem.js';
import type { PeriodQuery } from './query-params.js';

export interface ImpactAnswer {
  readonly period: PeriodQuery;
  readonly scope: {
    readonly role: Principal['role'];
    readonly stores?: readonly string[];
    readonly regions?: readonly string[];
  };
  readonly currency: string;
  readonly shrink: ShrinkFigures;
  /**
   * Hours saved are counted per team and ISO week: the period covers every week that overlaps
   * it (`weeks`). Teams are organisation-wide, so only leadership sees them (null otherwise).
   */
  readonly hoursSaved:
    | (HoursSavedFigures & { readonly weeks: { from: string; to: string } })
    | null;
}

/** Totals for a period, within what the principal may read. */
export async function impactFor(
  principal: Principal,
  period: PeriodQuery,
  reader: ImpactReader,
  currency: string,
): Promise<ImpactAnswer> {
  let counters: Counters;
  let hoursSaved: ImpactAnswer['hoursSaved'] = null;
  switch (principal.role) {
    case 'leadership': {
      const weeks = { from: isoWeekOfDate(period.from), to: isoWeekOfDate(period.to) };
      const [days, teamWeeks] = await Promise.all([
        reader.orgDays(period.from, period.to),
        reader.orgWeeks(weeks.from, weeks.to),
      ]);
      counters = days;
      hoursSaved = { ...hoursSavedFigures(teamWeeks), weeks };
      break;
    }
    case 'region_manager':
      counters = sumCounters(
        await Promise.all(
          principal.regions.map((r) => reader.regionDays(r, period.from, period.to)),
        ),
      );
      break;
    case 'store_manager':
      counters = sumCounters(
        (
          await Promise.all(
            principal.stores.map((s) => reader.storeDays(s, period.from, period.to)),
          )
        ).flatMap((days) => [...days.values()]),
      );
      break;
  }
  return {
    period,
    scope: {
      role: principal.role,
      ...(principal.role === 'store_manager' && { stores: principal.stores }),
      ...(principal.role === 'region_manager' && { regions: principal.regions }),
    },
    currency,
    shrink: shrinkFigures(counters),
    hoursSaved,
  };
}

export interface StoreShrinkAnswer {
  readonly storeId: string;
  readonly region: string;
  readonly timeZone: string;
  readonly period: PeriodQuery;
  readonly currency: string;
  readonly total: ShrinkFigures;
  /** One entry per local calendar day of the period, zeros included. */
  readonly days: readonly ({ readonly date: string } & ShrinkFigures)[];
}

/**
 * A store's daily shrink series. A store outside the principal's scope is refused with 403
 * before anything about it is read; an unknown store in scope is 404.
 */
export async function storeShrinkFor(
  principal: Principal,
  storeId: string,
  period: PeriodQuery,
  reader: ImpactReader,
  currency: string,
): Promise<StoreShrinkAnswer> {
  if (principal.role === 'store_manager' && !principal.stores.includes(storeId)) {
    throw forbidden('this token does not cover that store');
  }
  const store = await reader.store(storeId);
  if (
    principal.role === 'region_manager' &&
    (store === undefined || !principal.regions.includes(store.region))
  ) {
    throw forbidden('this token does not cover that store');
  }
  if (store === undefined) throw notFound(`no store ${storeId}`);
  const days = await reader.storeDays(storeId, period.from, period.to);
  return {
    storeId,
    region: store.region,
    timeZone: store.timeZone,
    period,
    currency,
    total: shrinkFigures(sumCounters(days.values())),
    days: eachDate(period.from, period.to).map((date) => ({
      date,
      ...shrinkFigures(days.get(date) ?? {}),
    })),
  };
}
