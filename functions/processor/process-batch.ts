import type { TelemetryEvent } from '../../edge-client/src/contract/index.js';
import { homeItemKey, itemId } from '../domain/aggregate-keys.js';
import { decodeRecord, type RecordPosition } from '../domain/decode-record.js';
import { checkEventTime, type EventTimeRules } from '../domain/event-time.js';
import type { FoldOptions } from '../domain/fold-events.js';
import { routeEvent } from '../domain/route-event.js';
import { type CommitStats, commitHomes, type HomeWork } from './commit-homes.js';
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
  readonly data: Uint8Array;
  /** Epoch ms at which Kinesis accepted the record. */
  readonly arrivedAt: number;
}

export interface ProcessorDeps {
  readonly aggregates: AggregateStore;
  readonly registry: RegistryReader;
  readonly deadLetters: DeadLetterSink;
  readonly logger: Logger;
  readonly fold: FoldOptions;
  readonly eventTime: EventTimeRules;
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
  deadLettered: number;
  failedRecords: number;
}

interface Located {
  readonly record: StreamRecord;
  readonly position: RecordPosition;
  readonly event: TelemetryEvent;
}

/**
 * Processes one batch of one shard: decode, check provenance, fold into aggregates exactly
 * once, dead-letter what can never count. Poison never fails the batch; a transient failure
 * (throttling that outlasted the SDK's retries, an emulator restart) fails only the records
 * of the items it touched, and the retry is harmless because every write is idempotent.
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
    failedRecords: 0,
    homeWrites: 0,
    summaryWrites: 0,
    rollupWrites: 0,
    rollupRepairs: 0,
    conflicts: 0,
  };
  const letters: DeadLetter[] = [];
  const located: Located[] = [];
  for (const record of records) {
    for (const item of decodeRecord(record.data)) {
      const position = {
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: item.subSequenceNumber,
      };
      if (item.ok) located.push({ record, position, event: item.event });
      else letters.push(letterFor(record, position, item.rejection.reason, item.rejection.detail));
    }
  }
  stats.events = located.length + letters.length;

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
      letters.push(letterFor(l.record, l.position, badTime.reason, badTime.detail, l.event));
      continue;
    }
    const routing = routeEvent(l.event, view);
    if (!routing.ok) {
      letters.push(
        letterFor(
          l.record,
          l.position,
          routing.rejection.reason,
          routing.rejection.detail,
          l.event,
        ),
      );
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
    let commits: Awaited<ReturnType<typeof commitHomes>>;
    try {
      const homes = [...work.values()].map((w) => ({
        key: w.key,
        region: w.region,
        events: w.located.map((l) => l.event),
      }));
      commits = await commitHomes(homes, deps.aggregates, deps.fold, stats);
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
        for (const l of w.located) {
          letters.push(
            letterFor(
              l.record,
              l.position,
              'aggregate_too_large',
              `aggregate item ${commit.id} reached the 400 KB item limit`,
              l.event,
            ),
          );
        }
      } else if (!commit.ok && w !== undefined) {
        deps.logger.warn('aggregate item not committed; its records will be retried', {
          item: commit.id,
          error: describe(commit.error),
        });
        for (const l of w.located) failed.add(l.record);
      }
    }
  }

  if (letters.length > 0) {
    try {
      await deps.deadLetters.put(letters);
      stats.deadLettered = letters.length;
      for (const letter of letters) {
        deps.logger.warn('record dead-lettered', {
          reason: letter.reason,
          detail: letter.detail,
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
      for (const letter of letters)
        failed.add(bySeq.get(letter.position.sequenceNumber) as StreamRecord);
    }
  }

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

function letterFor(
  record: StreamRecord,
  position: RecordPosition,
  reason: DeadLetter['reason'],
  detail: string,
  event?: TelemetryEvent,
): DeadLetter {
  return {
    position,
    reason,
    detail,
    arrivedAt: new Date(record.arrivedAt).toISOString(),
    sizeBytes: record.data.byteLength,
    ...(event !== undefined && { deviceId: event.deviceId, eventId: event.eventId }),
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
