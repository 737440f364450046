import { z } from 'zod';
import { Identifier } from '../../edge-client/src/contract/index.js';
import { daysInclusive, parseDate } from '../domain/calendar.js';
import { invalidParameters } from './problem.js';

/** Longest period one request may ask for. */
export const MAX_PERIOD_DAYS = 400;

const CalendarDate = z
  .string()
  .refine((s) => parseDate(s) !== undefined, 'must be a calendar date (YYYY-MM-DD)');

/** `from` and `to`, inclusive calendar dates; unknown parameters are refused, not ignored. */
export const PeriodQuery = z
  .object({ from: CalendarDate, to: CalendarDate })
  .strict()
  .superRefine((q, ctx) => {
    if (parseDate(q.from) === undefined || parseDate(q.to) === undefined) return;
    if (q.from > q.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    } else if (daysInclusive(q.from, q.to) > MAX_PERIOD_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `period longer than ${MAX_PERIOD_DAYS} days`,
      });
    }
  });
export type PeriodQuery = z.infer<typeof PeriodQuery>;

export const StorePath = z.object({ storeId: Identifier }).strict();

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
