import * as z from 'zod';
import { DEFAULT_EVENT_TIME_RULES } from '#domain/event-time';
import { homeRetentionMs } from '#domain/home-expiry';
import { DEFAULT_BASELINES, HoursSavedBaselines } from '#domain/hours-saved';
import { parseEnv } from '#shared/parse-env';
import { TABLES } from '#shared/resources';
import { MAX_INFLATED_BYTES } from '#wire';
import { STREAM_RETENTION_HOURS } from './event-source.js';
import { INFLATED_BYTES_PER_BATCH } from './process-batch.js';

const TableName = z.string().min(3).max(255);

/** The processor's environment, validated once at cold start; a bad value names the variable. */
export const ProcessorConfig = z.object({
  [TABLES.aggregates.envVar]: TableName,
  [TABLES.registry.envVar]: TableName,
  [TABLES.deadLetters.envVar]: TableName,
  /** Where each batch's shard status goes; unset (a rebuild, a replay, a bench), none is kept. */
  [TABLES.pipelineStatus.envVar]: TableName.optional(),
  /** Event times further ahead of arrival are dead-lettered as clock_skew. */
  CLOCK_SKEW_TOLERANCE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_EVENT_TIME_RULES.futureToleranceMs / 1000),
  /** Event times further behind arrival are dead-lettered as too_old. */
  LATE_EVENT_HORIZON_DAYS: z.coerce
    .number()
    .min(1)
    .default(DEFAULT_EVENT_TIME_RULES.horizonMs / 86_400_000),
  /**
   * Bytes one invocation inflates before it leaves the rest of its batch to the next (see
   * INFLATED_BYTES_PER_BATCH); at least one record's worth, so that every invocation moves.
   */
  INFLATED_BYTES_PER_BATCH: z.coerce
    .number()
    .int()
    .min(MAX_INFLATED_BYTES)
    .default(INFLATED_BYTES_PER_BATCH),
  /**
   * `refuse` (the default): an unsigned record is dead-lettered as `unsigned`. `accept`: it is
   * counted, with the UnsignedRecords metric, for a migration window (signature-check.ts).
   */
  UNSIGNED_RECORDS: z.enum(['refuse', 'accept']).default('refuse'),
  HOURS_SAVED_BASELINES: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return DEFAULT_BASELINES;
      try {
        return HoursSavedBaselines.parse(JSON.parse(raw));
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `not a valid baseline table: ${(error as Error).message}`,
        });
        return z.NEVER;
      }
    }),
});

export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env) {
  const data = parseEnv(ProcessorConfig, env, 'processor');
  return {
    aggregatesTable: data[TABLES.aggregates.envVar],
    registryTable: data[TABLES.registry.envVar],
    deadLetterTable: data[TABLES.deadLetters.envVar],
    pipelineStatusTable: data[TABLES.pipelineStatus.envVar],
    baselines: data.HOURS_SAVED_BASELINES,
    inflatedBytesPerBatch: data.INFLATED_BYTES_PER_BATCH,
    unsignedRecords: data.UNSIGNED_RECORDS,
    eventTime: {
      futureToleranceMs: data.CLOCK_SKEW_TOLERANCE_SECONDS * 1000,
      horizonMs: data.LATE_EVENT_HORIZON_DAYS * 86_400_000,
    },
    homeRetentionMs: homeRetentionMs(
      data.LATE_EVENT_HORIZON_DAYS * 86_400_000,
      STREAM_RETENTION_HOURS * 3_600_000,
    ),
  };
}
