import type { ShardStatus } from './ports.js';

/** Iterator age past which a shard is behind (the IteratorAge alarm's threshold is higher). */
export const BEHIND_AFTER_MS = 5 * 60_000;
/** No batch for this long: the shard is idle, or the processor has stopped reading it. */
export const QUIET_AFTER_MS = 15 * 60_000;

export type ShardState =
  /** Read recently, close to the tip of the shard. */
  | 'ok'
  /** Its last batch was more than BEHIND_AFTER_MS behind the newest record it read. */
  | 'behind'
  /** Its last batch left records to a retry. */
  | 'failing'
  /** No batch for QUIET_AFTER_MS: no traffic, or a processor that stopped. */
  | 'quiet'
  /** A shard of the stream the processor has not reported on (or whose status is unreadable). */
  | 'unseen'
  /** Not an open shard of the stream (a reshard closed it) and no batch for QUIET_AFTER_MS. */
  | 'closed';

export interface ShardReport {
  readonly shardId: string;
  readonly state: ShardState;
  readonly status?: ShardStatus;
  /** Since its last batch. */
  readonly lastBatchAgoMs?: number;
}

export interface HourCount {
  /** `YYYY-MM-DDTHH` (UTC) of arrival. */
  readonly hour: string;
  readonly letters: number;
  readonly records: number;
}

export interface PipelineStatus {
  readonly at: string;
  /** The worst state of any shard. */
  readonly state: ShardState;
  readonly shards: readonly ShardReport[];
  /** The largest iterator age of any shard's last batch. */
  readonly maxIteratorAgeMs: number;
  /** Dead letters per arrival hour over the last 24 hours, oldest first (every hour listed). */
  readonly deadLettersPerHour: readonly HourCount[];
  /** The most recent errors the shards' last batches logged, newest first. */
  readonly recentErrors: readonly {
    readonly shardId: string;
    readonly at: string;
    readonly message: string;
    readonly name?: string;
  }[];
}

const WORST: readonly ShardState[] = ['failing', 'behind', 'unseen', 'quiet', 'ok'];

/** The states a shard can be in, as the status answers them. */
export const SHARD_STATES = [
  'ok',
  'behind',
  'failing',
  'quiet',
  'unseen',
  'closed',
] as const satisfies readonly ShardState[];

/** A shard's state from its last batch, as of `now`. */
export function shardState(status: ShardStatus | undefined, now: number): ShardState {
  if (status === undefined || Number.isNaN(Date.parse(status.batchAt))) return 'unseen';
  if (status.failedRecords > 0) return 'failing';
  if (status.iteratorAgeMs > BEHIND_AFTER_MS) return 'behind';
  if (now - Date.parse(status.batchAt) > QUIET_AFTER_MS) return 'quiet';
  return 'ok';
}

/**
 * The pipeline's status from the shards' last batches, the stream's shard ids (open and
 * closed ones that still report) and the last day's dead letters.
 */
export function pipelineStatus(input: {
  readonly shardIds: readonly string[];
  readonly statuses: readonly ShardStatus[];
  readonly letters: readonly { readonly arrivedAt: string; readonly count: number }[];
  readonly now: number;
}): PipelineStatus {
  const byShard = new Map(input.statuses.map((s) => [s.shardId, s]));
  const ids = [...new Set([...input.shardIds, ...byShard.keys()])].sort();
  const open = new Set(input.shardIds);
  const shards = ids.map((shardId): ShardReport => {
    const status = byShard.get(shardId);
    // A shard the stream no longer lists as open, and not read lately, was closed by a
    // reshard and drained: its last batch no longer says anything about the pipeline.
    const drained =
      !open.has(shardId) &&
      (status === undefined || !(input.now - Date.parse(status.batchAt) <= QUIET_AFTER_MS));
    return {
      shardId,
      state: drained ? 'closed' : shardState(status, input.now),
      ...(status !== undefined && {
        status,
        lastBatchAgoMs: Math.max(0, input.now - Date.parse(status.batchAt)),
      }),
    };
  });
  const state = WORST.find((s) => shards.some((r) => r.state === s)) ?? 'ok';
  return {
    at: new Date(input.now).toISOString(),
    state: shards.length === 0 ? 'unseen' : state,
    shards,
    maxIteratorAgeMs: Math.max(
      0,
      ...shards.flatMap((s) => (s.state === 'closed' ? [] : [s.status?.iteratorAgeMs ?? 0])),
    ),
    deadLettersPerHour: perHour(input.letters, input.now),
    recentErrors: input.statuses
      .flatMap((s) =>
        s.error === undefined ? [] : [{ shardId: s.shardId, at: s.batchAt, ...s.error }],
      )
      .sort((a, b) => b.at.localeCompare(a.at)),
  };
}

const HOUR = 3_600_000;

/** Letters and their records per UTC arrival hour, for the 24 hours up to `now`. */
function perHour(
  letters: readonly { readonly arrivedAt: string; readonly count: number }[],
  now: number,
): HourCount[] {
  const last = Math.floor(now / HOUR) * HOUR;
  const hours = Array.from({ length: 24 }, (_, i) =>
    new Date(last - (23 - i) * HOUR).toISOString().slice(0, 13),
  );
  const counts = new Map(hours.map((h) => [h, { letters: 0, records: 0 }]));
  for (const letter of letters) {
    const entry = counts.get(letter.arrivedAt.slice(0, 13));
    if (entry === undefined) continue;
    entry.letters += 1;
    entry.records += letter.count;
  }
  return hours.map((hour) => ({
    hour,
    ...(counts.get(hour) as { letters: number; records: number }),
  }));
}
