import * as z from 'zod';
import { Identifier } from '#contract';
import { daysInclusive, parseDate } from '#domain/calendar';

/** Longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 400;
/** Largest leaderboard page. */
export const MAX_PAGE_SIZE = 100;

/**
 * The dates a query may name, 2000-01-01..2099-12-31. No aggregate can lie outside them: the
 * processor counts an event only within minutes ahead of and 35 days behind its arrival, so
 * every figure is from the years the pipeline runs. The bound also keeps every date the API
 * derives from a query (the period before it, up to MAX_PERIOD_DAYS earlier; the ISO weeks
 * around both) a four-digit year that JavaScript's `Date` reads as written and that sorts
 * lexicographically in a DynamoDB key: year 0099 is read as 1999, year 999 makes a `999-W51`
 * key sort after `1000-W01`, and a week past 9999-12-31 has no `YYYY` form at all.
 */
export const DATE_RANGE = { first: '2000-01-01', last: '2099-12-31' } as const;

const inDateRange = (s: string) =>
  parseDate(s) !== undefined && s >= DATE_RANGE.first && s <= DATE_RANGE.last;

/** A query's calendar date, within DATE_RANGE. */
export const CalendarDate = z
  .string()
  .refine((s) => parseDate(s) !== undefined, {
    message: 'must be a calendar date (YYYY-MM-DD)',
    abort: true,
  })
  .refine(
    (s) => s >= DATE_RANGE.first && s <= DATE_RANGE.last,
    `must be from ${DATE_RANGE.first} to ${DATE_RANGE.last}`,
  )
  .meta({
    description: `Calendar date, YYYY-MM-DD (inclusive), ${DATE_RANGE.first}..${DATE_RANGE.last}`,
    example: '2026-11-01',
  });

const period = { from: CalendarDate, to: CalendarDate };

/** Checks `from <= to` and the length cap on any query with a period. */
function checkPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx) {
  // Each date's own problem is already reported; the period is checked only between two good ones.
  if (!inDateRange(q.from) || !inDateRange(q.to)) return;
  if (q.from > q.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  else if (daysInclusive(q.from, q.to) > MAX_PERIOD_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `period longer than ${MAX_PERIOD_DAYS} days`,
    });
  }
}

/** A plain `from`/`to` period. Unknown parameters are refused, not ignored. */
export const PeriodQuery = z.object(period).strict().superRefine(checkPeriod);
export type PeriodQuery = z.infer<typeof PeriodQuery>;

export const ImpactQuery = z
  .object({
    ...period,
    region: Identifier.optional().meta({
      description: "Only this region (within the token's scope)",
    }),
  })
  .strict()
  .superRefine(checkPeriod);
export type ImpactQuery = z.infer<typeof ImpactQuery>;

export const StoreShrinkQuery = z
  .object({ ...period, granularity: z.enum(['day', 'week', 'month']).default('day') })
  .strict()
  .superRefine(checkPeriod);
export type StoreShrinkQuery = z.infer<typeof StoreShrinkQuery>;

export const LEADERBOARD_SORTS = ['lossPrevented', 'lossDetected', 'falsePositiveRate'] as const;

export const LeaderboardQuery = z
  .object({
    ...period,
    region: Identifier.optional(),
    sort: z.enum(LEADERBOARD_SORTS).default('lossPrevented'),
    order: z.enum(['desc', 'asc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
    cursor: z.string().max(512).optional().meta({
      description:
        'Opaque cursor: the nextCursor of the previous page, with the same parameters (limit may change). A position, not a credential.',
    }),
  })
  .strict()
  .superRefine(checkPeriod);
export type LeaderboardQuery = z.infer<typeof LeaderboardQuery>;

export const TeamHoursQuery = z
  .object({ ...period, granularity: z.enum(['week', 'month']).default('week') })
  .strict()
  .superRefine(checkPeriod);
export type TeamHoursQuery = z.infer<typeof TeamHoursQuery>;

export const StorePath = z.object({ storeId: Identifier }).strict();
export const TeamPath = z.object({ teamId: Identifier }).strict();
export const NoQuery = z.object({}).strict();

/** Most stores one fleet health answer lists. */
export const MAX_FLEET_STORES = 1_000;

export const FleetHealthQuery = z
  .object({
    region: Identifier.optional().meta({
      description:
        "One region (within the token's scope); required for a leadership token, which covers every region",
    }),
    only: z.enum(['attention', 'all']).default('attention').meta({
      description:
        'attention (the default): only stores with silent devices, a backlog over 5 minutes or a clock off by over a minute; all: every store',
    }),
    limit: z.coerce.number().int().min(1).max(MAX_FLEET_STORES).default(100),
  })
  .strict();
export type FleetHealthQuery = z.infer<typeof FleetHealthQuery>;

/**
 * Longest period of one answer read slot by slot (hour of day, model quality, a store's
 * lanes): a store-month of slots.
 */
export const MAX_SLOT_READ_DAYS = 31;

/** Checks the period of an answer read slot by slot: within MAX_SLOT_READ_DAYS. */
function checkSlotPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx) {
  checkPeriod(q, ctx);
  if (inDateRange(q.from) && inDateRange(q.to) && q.from <= q.to) {
    if (daysInclusive(q.from, q.to) > MAX_SLOT_READ_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `period longer than ${MAX_SLOT_READ_DAYS} days`,
      });
    }
  }
}

const storeOrRegion = {
  storeId: Identifier.optional().meta({ description: "One store (within the token's scope)" }),
  region: Identifier.optional().meta({
    description: "One region (within the token's scope): its busiest stores in the period",
  }),
};

function checkStoreOrRegion(q: { storeId?: string; region?: string }, ctx: z.RefinementCtx) {
  if ((q.storeId === undefined) === (q.region === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['storeId'],
      message: 'give exactly one of storeId and region',
    });
  }
}

/**
 * A store's or a region's hour-of-day table: exactly one of `storeId` and `region`, over at
 * most MAX_SLOT_READ_DAYS store-local days (every one of them is read slot by slot).
 */
export const HourOfDayQuery = z
  .object({ ...period, ...storeOrRegion })
  .strict()
  .superRefine((q, ctx) => {
    checkSlotPeriod(q, ctx);
    checkStoreOrRegion(q, ctx);
  });
export type HourOfDayQuery = z.infer<typeof HourOfDayQuery>;

/** A model version as a query names it: `name@version`. */
const ModelVersionName = z
  .string()
  .max(129)
  .transform((s, ctx) => {
    const at = s.indexOf('@');
    const name = Identifier.safeParse(s.slice(0, Math.max(0, at)));
    const version = Identifier.safeParse(s.slice(at + 1));
    if (at < 0 || !name.success || !version.success) {
      ctx.addIssue({ code: 'custom', message: 'must be a model version, name@version' });
      return z.NEVER;
    }
    return { model: name.data, version: version.data };
  });

/**
 * Model quality by version: exactly one of `storeId` and `region`, at most MAX_SLOT_READ_DAYS;
 * `compare` names two different versions to set side by side over the stores that ran both.
 */
export const ModelQualityQuery = z
  .object({
    ...period,
    ...storeOrRegion,
    compare: z
      .string()
      .max(260)
      .pipe(
        z
          .string()
          .transform((s) => s.split(','))
          .refine((names) => names.length === 2, {
            message: 'must name two versions, separated by a comma',
            abort: true,
          })
          .pipe(z.tuple([ModelVersionName, ModelVersionName]))
          .refine(([a, b]) => a.model !== b.model || a.version !== b.version, {
            message: 'must name two different versions',
          }),
      )
      .optional()
      .meta({
        description:
          "Two model versions, `name@version,name@version`: each one's figures over the stores that ran both",
        example: 'shrink-vision@4.1.0,shrink-vision@4.2.1',
      }),
  })
  .strict()
  .superRefine((q, ctx) => {
    checkSlotPeriod(q, ctx);
    checkStoreOrRegion(q, ctx);
  });
export type ModelQualityQuery = z.infer<typeof ModelQualityQuery>;

/** A store's lanes: at most MAX_SLOT_READ_DAYS, read slot by slot. */
export const StoreLanesQuery = z.object(period).strict().superRefine(checkSlotPeriod);
export type StoreLanesQuery = z.infer<typeof StoreLanesQuery>;
