import * as z from 'zod';
import { Identifier } from '../../edge-client/src/contract/index.js';
import { daysInclusive, parseDate } from '../domain/calendar.js';
import { invalidParameters } from './problem.js';

/** Longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 400;
/** Largest leaderboard page. */
export const MAX_PAGE_SIZE = 100;

const CalendarDate = z
  .string()
  .refine((s) => parseDate(s) !== undefined, 'must be a calendar date (YYYY-MM-DD)')
  .meta({ description: 'Calendar date, YYYY-MM-DD (inclusive)', example: '2026-11-01' });

const period = { from: CalendarDate, to: CalendarDate };

/** Checks `from <= to` and the length cap on any query with a period. */
function checkPeriod(q: { from: string; to: string }, ctx: z.RefinementCtx) {
  if (parseDate(q.from) === undefined || parseDate(q.to) === undefined) return;
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
    cursor: z
      .string()
      .max(512)
      .optional()
      .meta({ description: 'Opaque cursor from a previous page' }),
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

/** Parses request parameters or throws a 400 problem that names each bad parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw invalidParameters(
    result.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((name) => ({ name, reason: 'unknown parameter' }));
      }
      const name = issue.path.length > 0 ? issue.path.map(String).join('.') : '(request)';
      return [{ name, reason: issue.message }];
    }),
  );
}
