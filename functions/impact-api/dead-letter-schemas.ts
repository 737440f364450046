import * as z from 'zod';
import { Identifier } from '#contract';
import { DEAD_LETTER_REASONS } from '#domain/dead-letter-advice';
import { DEAD_LETTER_ID_PATTERN, MAX_DEAD_LETTER_ID_LENGTH } from '#domain/dead-letter-id';
import { CalendarDate } from './query-params.js';

/**
 * The ops routes' requests and answers (`/v1/ops/*`, operator tokens only), beside the figure
 * routes' in the public schemas module: the ops function parses with them, the OpenAPI document
 * and the MCP tools are generated from them. The bounds are the `npm run dead-letters` CLI's.
 */

/** Longest range of arrival dates one list may read. */
export const MAX_DEAD_LETTER_DAYS = 62;
/** Most letters one list answers. */
export const MAX_DEAD_LETTER_LIMIT = 1_000;
/** Characters of a letter's detail a list entry carries (explain carries all of it). */
export const LIST_DETAIL_CHARS = 200;
/** Event ids a list entry carries (explain carries all of them). */
export const LIST_EVENT_IDS = 10;

const ArrivalDate = (which: string) =>
  CalendarDate.optional().meta({
    description: `${which} arrival date (UTC), YYYY-MM-DD, inclusive`,
  });

export const DeadLetterListQuery = z
  .object({
    from: ArrivalDate(
      `First: default \`to\` when only \`to\` is given, else today. At most ${MAX_DEAD_LETTER_DAYS} days from \`from\` to \`to\`.`,
    ),
    to: ArrivalDate('Last: default today.'),
    reason: z
      .enum(DEAD_LETTER_REASONS as [string, ...string[]])
      .optional()
      .meta({ description: 'Only letters of this reason' }),
    deviceId: Identifier.optional().meta({ description: 'Only letters of this sending device' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_DEAD_LETTER_LIMIT)
      .default(100)
      .meta({
        description: `Most letters to answer (1..${MAX_DEAD_LETTER_LIMIT}); at most 20,000 are read per request`,
      }),
  })
  .strict();
export type DeadLetterListQuery = z.infer<typeof DeadLetterListQuery>;

export const DeadLetterIdQuery = z
  .object({
    id: z
      .string()
      .max(MAX_DEAD_LETTER_ID_LENGTH)
      .regex(
        DEAD_LETTER_ID_PATTERN,
        'not a dead-letter id: {arrival date}/{shardId}/{sequenceNumber}/{subSequenceNumber}, as the list answers',
      )
      .meta({
        description:
          "The letter's id from the list: {arrival date}/{shardId}/{sequenceNumber}/{subSequenceNumber} (URL-encode the slashes or not)",
        example:
          '2026-12-01/shardId-000000000000/49650000000000000000000000000000000000000000000001/0',
      }),
  })
  .strict();
export type DeadLetterIdQuery = z.infer<typeof DeadLetterIdQuery>;

const Position = {
  shardId: z.string(),
  sequenceNumber: z.string(),
  subSequenceNumber: z.number().int(),
};

const LetterFields = {
  id: z.string().meta({ description: 'Names the letter: pass it to the explain route' }),
  reason: z
    .string()
    .meta({ description: `Why it can never count: ${DEAD_LETTER_REASONS.join(', ')}` }),
  arrivedAt: z.string().meta({ description: 'When the record reached the stream (ISO-8601 UTC)' }),
  deadLetteredAt: z.string(),
  ...Position,
  count: z.number().int().meta({ description: 'User records (events) the letter stands for' }),
  sizeBytes: z.number().int(),
  deviceId: z
    .string()
    .optional()
    .meta({ description: 'The sender, when the record parsed far enough' }),
  replay: z
    .object({
      at: z.string(),
      outcome: z.enum(['counted', 'refused_again']),
      reasons: z.array(z.string()).readonly().optional(),
    })
    .optional()
    .meta({
      description:
        'The last replay of its record: counted (nothing of it was refused again) or refused_again (with the reasons)',
    }),
};

/**
 * A stored dead letter: why a record can never count, where it is in the stream, and what
 * the contract said about its fields (field paths and expectations, never values). No payload
 * is ever stored.
 */
export const DeadLetter = z
  .object({
    ...LetterFields,
    detail: z.string().meta({ description: "The contract's field issues or the refusal's reason" }),
    subSequenceNumbers: z
      .array(z.number().int())
      .readonly()
      .meta({ description: 'Sub-sequence numbers of the user records it stands for' }),
    eventIds: z.array(z.string()),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof DeadLetter>;

/** A list entry: a letter with its detail and event ids shortened (explain has them all). */
export const DeadLetterSummary = z
  .object({
    ...LetterFields,
    detail: z.string().meta({
      description: `The first ${LIST_DETAIL_CHARS} characters of the detail (… when cut)`,
    }),
    firstEventIds: z
      .array(z.string())
      .meta({ description: `The first ${LIST_EVENT_IDS} event ids` }),
    eventIdCount: z.number().int(),
  })
  .meta({ id: 'DeadLetterSummary' });
export type DeadLetterSummary = z.infer<typeof DeadLetterSummary>;

export const DeadLetterListResponse = z
  .object({
    period: z
      .object({ from: z.string(), to: z.string() })
      .meta({ description: 'Arrival dates read' }),
    letters: z.array(DeadLetterSummary).meta({ description: 'Newest arrival date first' }),
    byReason: z
      .array(
        z.object({
          reason: z.string(),
          letters: z.number().int(),
          records: z.number().int().meta({ description: 'User records they stand for' }),
        }),
      )
      .meta({ description: 'The answered letters per reason, most records first' }),
    truncated: z.boolean().meta({
      description:
        'True when the list stopped at `limit` letters or after reading 20,000: narrow the dates, the reason or the device',
    }),
  })
  .meta({ id: 'DeadLetterListResponse' });
export type DeadLetterListResponse = z.infer<typeof DeadLetterListResponse>;

export const DeadLetterResponse = z
  .object({
    letter: DeadLetter,
    advice: z.object({
      meaning: z.string().meta({ description: 'What the reason means' }),
      fix: z.string().meta({ description: 'What an operator does about it' }),
      recovery: z.enum(['rebuild_after_fix', 'counts_after_fix', 'never']).meta({
        description:
          'rebuild_after_fix: once fixed, a replay of its record (or a rebuild from the raw archive) counts these events; never: a replay judges them the same way again',
      }),
    }),
  })
  .meta({ id: 'DeadLetterResponse' });
export type DeadLetterResponse = z.infer<typeof DeadLetterResponse>;
