import type { TelemetryEvent } from '../../edge-client/src/contract/index.js';
import { homeItemKey, itemId } from '../domain/aggregate-keys.js';
import {
  decodeRecord,
  type RecordPosition,
  type Refusal,
  type ScreenedPayload,
} from '../domain/decode-record.js';
import { checkEventTime, type EventTimeRules } from '../domain/event-time.js';
import type { FoldOptions } from '../domain/fold-events.js';
import { type PoisonReason, type Rejection, routeEvent } from '../domain/route-event.js';
import { type CommitStats, commitAggregates, type HomeWork } from './commit-aggregates.js';
import type {
  AggregateStore,
  DeadLetter,
  DeadLetterSink,
  Logger,
  RegistryReader,
} from './ports.js';

/** One Kinesis record as the processor sees it, whatever delivered it. */
export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** The record's bytes; or, read back from the raw archive, what the archive kept of them. */
  readonly data: Uint8Array | ScreenedPayload;
  /** Epoch ms at which Kinesis accepted the record. */
  readonly arrivedAt: number;
}

/** A record as it comes off the stream. */
export type RawStreamRecord = StreamRecord & { readonly data: Uint8Array };

export interface ProcessorDeps {
  readonly aggregates: AggregateStore;
  readonly registry: RegistryReader;
  readonly deadLetters: DeadLetterSink;
  readonly logger: Logger;
  readonly fold: FoldOptions;
  readonly eventTime: EventTimeRules;
  /** Bytes one invocation inflates before deferring the rest. @default INFLATED_BYTES_PER_BATCH */
  readonly inflatedBytesPerBatch?: number;
}

export interface BatchResult {
  /** Sequence numbers of records to retry; Lambda resumes from the lowest of them. */
  readonly failedSequenceNumbers: readonly string[];
  readonly stats: BatchStats;
}

export interface BatchStats extends CommitStats {
  records: number;
  events: number;
  counted: number;
  duplicates: number;
  /** User records dead-lettered (a letter may stand for several). */
  deadLettered: number;
  /** Dead-letter items written: at most one per record and reason. */
  deadLetterItems: number;
  /** Records left to the next invocation by the inflate budget (also in failedRecords). */
  deferred: number;
  failedRecords: number;
}

interface Located {
  readonly record: StreamRecord;
  readonly position: RecordPosition;
  readonly event: TelemetryEvent;
}

/**
 * Most bytes one invocation inflates before it leaves the rest of its batch to the next one.
 * Lambda hands over a Kinesis batch of at most 6 MB of payload (~4.5 MB of record data once
 * base64 is undone), and the edge client's gzipped aggregates inflate ~7.5 times (measured on
 * the simulator's events), so an honest full batch inflates to ~34 MB: 48 MiB leaves it room,
 * and bounds a hostile batch (1 KB records that each inflate to 1 MiB) to ~200,000 user
 * records of work (48 MiB / SMALLEST_EVENT_BYTES) instead of 5 GB.
 *
 * Records past the budget are reported as failures, untouched: Lambda checkpoints before the
 * first of them and hands them to the next invocation (with bisection on, the batch is split
 * at that record), which starts with a fresh budget. The first record of a batch is always
 * processed, so every invocation moves the shard forward: a batch of at most 5,000 records
 * needs at most 5,000 invocations, under the 10,000 attempts allowed, and nothing is dropped.
 */
export const INFLATED_BYTES_PER_BATCH = 48 * 1024 * 1024;

/**
 * Processes one batch of one shard: decode, check provenance, fold into aggregates exactly
 * once, dead-letter what can never count. Poison never fails the batch; a transient failure
 * (throttling that outlasted the SDK's retries, an emulator restart) fails only the records
 * of the items it touched, and the retry is harmless because every write is idempotent.
 * Records past the batch's inflate budget are deferred the same way (see
 * INFLATED_BYTES_PER_BATCH).
 */
export async function processBatch(
  records: readonly StreamRecord[],
  deps: ProcessorDeps,
): Promise<BatchResult> {
  const stats: BatchStats = {
    records: records.length,
    events: 0,
    counted: 0,
    duplicates: 0,
    deadLettered: 0,
    deadLetterItems: 0,
    deferred: 0,
    failedRecords: 0,
    homeWrites: 0,
    summaryWrites: 0,
    rollupWrites: 0,
    rollupRepairs: 0,
    conflicts: 0,
  };
  const budget = deps.inflatedBytesPerBatch ?? INFLATED_BYTES_PER_BATCH;
  const letters = new LetterBook();
  const located: Located[] = [];
  let inflated = 0;
  let deferred: readonly StreamRecord[] = [];
  for (const [i, record] of records.entries()) {
    if (i > 0 && inflated >= budget) {
      deferred = records.slice(i);
      break;
    }
    const decoded = decodeRecord(record.data);
    inflated += decoded.inflatedBytes;
    for (const item of decoded.events) {
      const position = {
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: item.subSequenceNumber,
      };
      located.push({ record, position, event: item.event });
    }
    for (const refusal of decoded.refused) letters.refuse(record, refusal);
    stats.events += decoded.events.length + decoded.refused.reduce((sum, r) => sum + r.count, 0);
  }
  stats.deferred = deferred.length;
  if (deferred.length > 0) {
    deps.logger.warn('batch past its inflate budget; the rest is left to the next invocation', {
      inflatedBytes: inflated,
      budget,
      deferred: deferred.length,
    });
  }

  let registry: Awaited<ReturnType<RegistryReader['load']>>;
  try {
    registry = await deps.registry.load(
      unique(located.map((l) => l.event.deviceId)),
      unique(located.map((l) => l.event.storeId).filter((s): s is string => s !== undefined)),
    );
  } catch (error) {
    deps.logger.error('registry lookup failed; retrying the batch', { error: describe(error) });
    return failAll(records, stats);
  }
  const view = {
    device: (id: string) => registry.devices.get(id),
    store: (id: string) => registry.stores.get(id),
  };

  // Per home item: its key, and the located events that count in it.
  const work = new Map<
    string,
    { key: HomeWork['key']; region: HomeWork['region']; located: Located[] }
  >();
  for (const l of located) {
    const badTime = checkEventTime(l.event, l.record.arrivedAt, deps.eventTime);
    if (badTime !== undefined) {
      letters.reject(l, badTime);
      continue;
    }
    const routing = routeEvent(l.event, view);
    if (!routing.ok) {
      letters.reject(l, routing.rejection);
      continue;
    }
    const id = itemId(homeItemKey(routing.home));
    let w = work.get(id);
    if (w === undefined) {
      w = {
        key: routing.home,
        region: routing.region,
        located: [],
      };
      work.set(id, w);
    }
    w.located.push(l);
  }

  const failed = new Set<StreamRecord>();
  if (work.size > 0) {
    let commits: Awaited<ReturnType<typeof commitAggregates>>['homes'];
    try {
      const homes = [...work.values()].map((w) => ({
        key: w.key,
        region: w.region,
        events: w.located.map((l) => l.event),
      }));
      const committed = await commitAggregates(homes, deps.aggregates, deps.fold);
      Object.assign(stats, committed.stats);
      commits = committed.homes;
    } catch (error) {
      deps.logger.error('aggregate read failed; retrying the batch', { error: describe(error) });
      return failAll(records, stats);
    }
    for (const commit of commits) {
      const w = work.get(commit.id);
      stats.counted += commit.counted;
      stats.duplicates += commit.duplicates;
      if (!commit.ok && w !== undefined && isItemTooLarge(commit.error)) {
        // Retrying cannot help an item at DynamoDB's size limit, and retrying would hold up
        // the shard: its events go to the dead-letter table, named, instead of being lost.
        deps.logger.error('aggregate item at the size limit; dead-lettering its events', {
          item: commit.id,
        });
        const rejection = {
          reason: 'aggregate_too_large' as const,
          detail: `aggregate item ${commit.id} reached the 400 KB item limit`,
        };
        for (const l of w.located) letters.reject(l, rejection);
      } else if (!commit.ok && w !== undefined) {
        deps.logger.warn('aggregate item not committed; its records will be retried', {
          item: commit.id,
          error: describe(commit.error),
        });
        for (const l of w.located) failed.add(l.record);
      }
    }
  }

  const written = letters.all();
  if (written.length > 0) {
    try {
      await deps.deadLetters.put(written);
      stats.deadLetterItems = written.length;
      stats.deadLettered = written.reduce((sum, l) => sum + l.count, 0);
      for (const letter of written) {
        deps.logger.warn('record dead-lettered', {
          reason: letter.reason,
          detail: letter.detail,
          count: letter.count,
          shardId: letter.position.shardId,
          sequenceNumber: letter.position.sequenceNumber,
          subSequenceNumber: letter.position.subSequenceNumber,
        });
      }
    } catch (error) {
      deps.logger.error('dead-letter write failed; retrying those records', {
        error: describe(error),
      });
      const bySeq = new Map(records.map((r) => [r.sequenceNumber, r]));
      for (const letter of written)
        failed.add(bySeq.get(letter.position.sequenceNumber) as StreamRecord);
    }
  }

  for (const record of deferred) failed.add(record);
  stats.failedRecords = failed.size;
  return {
    failedSequenceNumbers: records.filter((r) => failed.has(r)).map((r) => r.sequenceNumber),
    stats,
  };
}

/** DynamoDB's refusal of an item over 400 KB: permanent for that item, whatever the retries. */
export function isItemTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /item size/i.test(error.message)
  );
}

function failAll(records: readonly StreamRecord[], stats: BatchStats): BatchResult {
  stats.failedRecords = records.length;
  return { failedSequenceNumbers: records.map((r) => r.sequenceNumber), stats };
}

/**
 * The batch's dead letters, one per record and reason: a record's refusals as decoded, and
 * its events that cannot count, grouped the same way, so the letters one record causes are
 * bounded by the reasons, however many user records it holds.
 */
class LetterBook {
  private readonly letters: DeadLetter[] = [];
  private readonly groups = new Map<
    StreamRecord,
    Map<PoisonReason, { detail: string; located: Located[] }>
  >();

  refuse(record: StreamRecord, refusal: Refusal): void {
    const [first = 0] = refusal.subSequenceNumbers;
    this.letters.push({
      ...envelope(record, first, refusal.reason, refusal.detail),
      count: refusal.count,
      ...(refusal.subSequenceNumbers.length > 1 && {
        subSequenceNumbers: refusal.subSequenceNumbers,
      }),
    });
  }

  reject(l: Located, rejection: Rejection): void {
    let byReason = this.groups.get(l.record);
    if (byReason === undefined) {
      byReason = new Map();
      this.groups.set(l.record, byReason);
    }
    const group = byReason.get(rejection.reason);
    if (group === undefined)
      byReason.set(rejection.reason, { detail: rejection.detail, located: [l] });
    else group.located.push(l);
  }

  all(): DeadLetter[] {
    const out = [...this.letters];
    for (const [record, byReason] of this.groups) {
      for (const [reason, group] of byReason) {
        const located = [...group.located].sort(
          (a, b) => a.position.subSequenceNumber - b.position.subSequenceNumber,
        );
        const first = located[0] as Located;
        out.push({
          ...envelope(record, first.position.subSequenceNumber, reason, group.detail),
          count: located.length,
          deviceId: first.event.deviceId,
          eventId: first.event.eventId,
          ...(located.length > 1 && {
            subSequenceNumbers: located.map((l) => l.position.subSequenceNumber),
            eventIds: located.map((l) => l.event.eventId),
          }),
        });
      }
    }
    return out;
  }
}

function envelope(
  record: StreamRecord,
  subSequenceNumber: number,
  reason: PoisonReason,
  detail: string,
) {
  return {
    position: {
      shardId: record.shardId,
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber,
    },
    reason,
    detail,
    arrivedAt: new Date(record.arrivedAt).toISOString(),
    sizeBytes: record.data instanceof Uint8Array ? record.data.byteLength : record.data.sizeBytes,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** An error's name and message, for logs; never a payload. */
export function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Unknown', message: String(error) };
}
