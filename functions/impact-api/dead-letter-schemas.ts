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

/**
 * Most letters one replay call takes (ids or a range's). A replay reads each record back from
 * the stream (GetShardIterator and GetRecords, 5 calls a second per shard) and runs it through
 * the processor, inside the HTTP API's 30 s integration timeout; more is for the CLI.
 */
export const MAX_REPLAY_LETTERS = 100;

/** `POST /v1/ops/dead-letters/replay`: the letters to replay, named or by range. */
export const ReplayRequest = z
  .object({
    ids: z
      .array(DeadLetterIdQuery.shape.id)
      .min(1)
      .max(MAX_REPLAY_LETTERS)
      .optional()
      .meta({
        description: `The letters to replay, by the ids the list answers (1..${MAX_REPLAY_LETTERS}). Without ids, the range (\`from\`, \`to\`, \`reason\`, \`deviceId\`, \`limit\`) chooses; not both.`,
      }),
    from: ArrivalDate(
      `Range: first (default \`to\` when only \`to\` is given, else today); at most ${MAX_DEAD_LETTER_DAYS} days.`,
    ),
    to: ArrivalDate('Range: last (default today).'),
    reason: z
      .enum(DEAD_LETTER_REASONS as [string, ...string[]])
      .optional()
      .meta({
        description: 'Range: only letters of this reason (default: every reason a fix can recover)',
      }),
    deviceId: Identifier.optional().meta({ description: 'Range: only letters of this device' }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPLAY_LETTERS)
      .optional()
      .meta({
        description: `Range: most letters to take (1..${MAX_REPLAY_LETTERS}, default ${MAX_REPLAY_LETTERS}), newest arrival date first; letters a replay counted are left out`,
      }),
    dryRun: z.boolean().default(true).meta({
      description:
        'true (the default): only plan, and answer the plan with its `confirm` token. false: replay, which needs `confirm`.',
    }),
    confirm: z.string().max(200).optional().meta({
      description:
        'With dryRun false: the `confirm` token a dry run of the same selection answered. If the selection changed since (letters replayed, counted or arrived), the replay is refused (409): dry-run again.',
    }),
  })
  .strict()
  .meta({ id: 'ReplayRequest' });
export type ReplayRequest = z.infer<typeof ReplayRequest>;

/** What a replay made, or (dry run) would try to make, of each letter (functions/archive/replay.ts). */
const REPLAY_OUTCOMES = [
  'would_replay',
  'counted',
  'refused_again',
  'not_found',
  'not_replayable',
] as const;

export const ReplayResponse = z
  .object({
    dryRun: z.boolean().meta({ description: 'true: nothing was written' }),
    confirm: z.string().meta({
      description:
        'The token of this selection (a SHA-256 of its sorted letter ids, nothing secret): send it with dryRun false to replay exactly these letters',
    }),
    selection: z.object({
      by: z.enum(['ids', 'range']),
      period: z
        .object({ from: z.string(), to: z.string() })
        .optional()
        .meta({ description: 'Range: the arrival dates read' }),
      truncated: z.boolean().meta({
        description: 'Range: more letters matched than `limit`; replay these, then dry-run again',
      }),
      missing: z
        .array(z.string())
        .meta({ description: 'Ids: the ones that name no letter (left out)' }),
    }),
    letters: z.number().int().meta({ description: 'Letters in the selection' }),
    records: z
      .object({
        wanted: z.number().int(),
        stream: z.number().int(),
        archive: z.number().int(),
        notFound: z.number().int(),
      })
      .meta({
        description:
          'Distinct records of the replayable letters, and where each was found (this API reads the stream only)',
      }),
    counted: z.number().int().meta({ description: 'Events the replay counted' }),
    duplicates: z.number().int().meta({ description: 'Events it found counted already' }),
    deadLettered: z.number().int().meta({ description: 'Events dead-lettered again' }),
    results: z.array(
      z.object({
        id: z.string(),
        reason: z.string(),
        count: z.number().int(),
        deadLetteredAt: z.string(),
        outcome: z.enum(REPLAY_OUTCOMES).meta({
          description:
            'would_replay (dry run), counted, refused_again (the fix is not in place: see `reasons`), not_found (the record has left the stream: use the CLI with the raw archive), not_replayable (a replay judges its reason the same way again)',
        }),
        source: z.enum(['stream', 'archive']).optional(),
        reasons: z.array(z.string()).readonly().optional(),
      }),
    ),
    notes: z.array(z.string()).meta({
      description: 'What to do next: confirm, or use the CLI for records past the stream',
    }),
  })
  .meta({ id: 'ReplayResponse' });
export type ReplayResponse = z.infer<typeof ReplayResponse>;
