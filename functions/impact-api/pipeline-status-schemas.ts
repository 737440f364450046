import * as z from 'zod';
import { BEHIND_AFTER_MS, QUIET_AFTER_MS, SHARD_STATES } from '#domain/pipeline-status';

/**
 * `GET /v1/ops/pipeline-status` (operator tokens only): the pipeline's own health, as
 * `npm run pipeline-status` computes it (functions/domain/pipeline-status.ts).
 */

const State = z.enum(SHARD_STATES).meta({
  description: `ok; behind (iterator age over ${BEHIND_AFTER_MS / 60_000} minutes); failing (its last batch left records to a retry); quiet (no batch for ${QUIET_AFTER_MS / 60_000} minutes: no traffic, or a processor that stopped); unseen (no batch yet); closed (not an open shard of the stream any more, and not read for ${QUIET_AFTER_MS / 60_000} minutes: a reshard closed it; it counts in no overall state)`,
});

const ShardStatus = z.object({
  shardId: z.string(),
  batchAt: z.string().meta({ description: 'When its last batch finished (ISO-8601 UTC)' }),
  newestArrivedAt: z.string().meta({ description: "Arrival of that batch's newest record" }),
  iteratorAgeMs: z.number().meta({ description: 'batchAt minus newestArrivedAt' }),
  records: z.number().int(),
  events: z.number().int(),
  counted: z.number().int(),
  deadLettered: z.number().int(),
  failedRecords: z.number().int().meta({ description: 'Records the batch left to a retry' }),
  error: z
    .object({ message: z.string(), name: z.string().optional() })
    .optional()
    .meta({ description: "The batch's first error" }),
});

export const PipelineStatusResponse = z
  .object({
    stream: z.string().meta({ description: 'The telemetry stream whose shards are listed' }),
    at: z.string(),
    state: State.meta({ description: 'The worst state of any shard' }),
    shards: z.array(
      z.object({
        shardId: z.string(),
        state: State,
        status: ShardStatus.optional().meta({ description: "The processor's last batch" }),
        lastBatchAgoMs: z.number().optional(),
      }),
    ),
    maxIteratorAgeMs: z.number(),
    deadLettersPerHour: z
      .array(z.object({ hour: z.string(), letters: z.number().int(), records: z.number().int() }))
      .meta({ description: 'The last 24 hours by UTC arrival hour (YYYY-MM-DDTHH), oldest first' }),
    deadLettersTruncated: z.boolean().meta({
      description: 'The hourly counts stopped after reading 20,000 letters: more arrived',
    }),
    recentErrors: z
      .array(
        z.object({
          shardId: z.string(),
          at: z.string(),
          message: z.string(),
          name: z.string().optional(),
        }),
      )
      .meta({ description: "The shards' last batches' errors, newest first" }),
  })
  .meta({ id: 'PipelineStatusResponse' });
export type PipelineStatusResponse = z.infer<typeof PipelineStatusResponse>;
