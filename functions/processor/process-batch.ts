import type { TelemetryEvent } from '#contract';
import { homeItemKey, itemId } from '#domain/aggregate-keys';
import {
  type ArchivedSigner,
  decodeRecord,
  type RecordPosition,
  type Refusal,
  type ScreenedPayload,
} from '#domain/decode-record';
import { checkEventTime, type EventTimeRules } from '#domain/event-time';
import { isStatus, routeStatus } from '#domain/fleet-health';
import type { FoldOptions } from '#domain/fold-events';
import type {
  AggregateStore,
  DeadLetter,
  DeadLetterSink,
  FleetHealthStore,
  Logger,
  RegistryReader,
  ShardStatus,
  ShardStatusSink,
} from '#domain/ports';
import type { RegistryView } from '#domain/registry-types';
import {
  type CountedEvent,
  type PoisonReason,
  type Rejection,
  routeEvent,
} from '#domain/route-event';
import { checkSignature, type UnsignedPolicy } from '#domain/signature-check';
import { isSignedEnvelope, type SignedEnvelope } from '#wire';
import {
  type AggregatesCommit,
  type CommitStats,
  commitAggregates,
  type HomeWork,
  NO_WRITES,
} from './commit-aggregates.js';
import { commitHealth, type StoreStatus } from './commit-health.js';
import { HomeExpiredError } from './errors.js';

/** What a too_old letter for an expired home says of how long homes are kept. */
const HOME_KEPT = 'for the late-event horizon, the stream retention and a week after its period';

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
  /** Unsigned records: refused (the default), or counted in a migration window. */
  readonly unsignedRecords?: UnsignedPolicy;
  /**
   * Where each batch's shard status goes (the live processor's; a rebuild or a replay has
   * none, so that it does not stand for the live shard). Best effort: a failed status write
   * is logged and never fails the batch.
   */
  readonly status?: ShardStatusSink;
  /**
   * Where device statuses go (fleet-health.ts); absent (a rebuild), statuses are judged as
   * usual (a refused one is dead-lettered) and then left out.
   */
  readonly health?: FleetHealthStore;
  /** The clock of the shard status and of fleet health. @default Date.now */
  readonly now?: () => number;
}

export interface BatchResult {
  /** Sequence numbers of records to retry; Lambda resumes from the lowest of them. */
  readonly failedSequenceNumbers: readonly string[];
  readonly stats: BatchStats;
}

export interface BatchStats extends CommitStats {
  readonly records: number;
  readonly events: number;
  readonly counted: number;
  readonly duplicates: number;
  /** User records dead-lettered (a letter may stand for several). */
  readonly deadLettered: number;
  /** Dead-letter items written: at most one per record and reason. */
  readonly deadLetterItems: number;
  /** Records left to the next invocation by the inflate budget (also in failedRecords). */
  readonly deferred: number;
  /** Unsigned records counted under the `accept` policy (the UnsignedRecords metric). */
  readonly unsignedAccepted: number;
  /** Device statuses routed to their store's fleet health (not counted in the figures). */
  readonly statuses: number;
  /** Fleet health item writes. */
  readonly healthWrites: number;
  /** Statuses whose sender held events unsent for over 5 minutes. */
  readonly devicesBacklogged: number;
  /** The furthest the batch's statuses' clocks run ahead of their arrival, in seconds. */
  readonly maxClockSkewSeconds: number;
  readonly failedRecords: number;
}

/** A decoded event and where it sits in the stream. */
interface Located<E extends TelemetryEvent = TelemetryEvent> {
  readonly record: StreamRecord;
  readonly position: RecordPosition;
  readonly event: E;
}

/** One record as decoded: its events, and its signature for checkSignatures. */
interface DecodedRecordAt {
  readonly record: StreamRecord;
  readonly located: readonly Located[];
  readonly envelope?: SignedEnvelope;
  /** Read back from the archive's screened form: who signed it, if anyone. */
  readonly archivedSigner?: ArchivedSigner;
  /** User records it holds, events and refused ones. */
  readonly userRecords: number;
}

/** Decoded events that can never count, and why. */
interface Rejected {
  readonly located: Located;
  readonly rejection: Rejection;
}

/**
 * Most bytes one invocation inflates before it leaves the rest of its batch to the next one.
 * Lambda hands over a Kinesis batch of at most 6 MB of payload (~4.5 MB of record data once
 * base64 is undone), and the edge client's compressed aggregates inflate ~7.5 to ~8 times (measured on
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
 *
 * The steps, in the order the batch flows through them (each a function below, in order):
 * 1. `decodeWithinBudget`: gunzip, KPL framing and the contract's schema (decode-record.ts),
 *    until the inflate budget is spent;
 * 2. `lookUpSenders`: the registry entries of the batch's devices and stores;
 * 3. `routeToHomes`: each event's time (event-time.ts) and its sender's right to report for
 *    its store or team (route-event.ts), grouped by the home item it counts in;
 * 4. `commitEvents`: fold (fold-events.ts) and commit exactly once (commit-aggregates.ts);
 * 5. `writeDeadLetters`: one letter per record and reason, for what can never count;
 * 6. `batchResult`: the records to retry, and the batch's figures summed from every step.
 *
 * Device statuses are set apart after the signature check (`splitStatuses`) and folded into
 * fleet health (commit-health.ts), best effort, beside step 4.
 */
export async function processBatch(
  records: readonly StreamRecord[],
  deps: ProcessorDeps,
): Promise<BatchResult> {
  if (deps.status === undefined) return processRecords(records, deps);
  const { logger, firstError } = watchErrors(deps.logger);
  const result = await processRecords(records, { ...deps, logger });
  await recordShardStatus(records, result, firstError(), deps);
  return result;
}

/** Steps 1 to 6 of processBatch. */
async function processRecords(
  records: readonly StreamRecord[],
  deps: ProcessorDeps,
): Promise<BatchResult> {
  const decoded = decodeWithinBudget(records, deps);
  const senders = await lookUpSenders(decoded, deps);
  if (senders === undefined) return batchResult(records, decoded, new Set(records));
  const signed = checkSignatures(decoded, senders, deps.unsignedRecords ?? 'refuse');
  const split = splitStatuses(signed.located, senders);
  const routed = routeToHomes(split.counted, senders, deps.eventTime);
  const committed = await commitEvents(routed.homes, deps);
  if (committed === undefined) return batchResult(records, decoded, new Set(records));
  const health =
    deps.health === undefined
      ? { writes: 0 }
      : await commitHealth(split.statuses, deps.health, deps.logger, deps.now?.() ?? Date.now());
  const letters = [
    ...signed.letters,
    ...decoded.refused.filter((r) => !signed.refusedRecords.has(r.record)).map(refusalLetter),
    ...rejectionLetters([...split.rejected, ...routed.rejected, ...committed.rejected]),
  ];
  const lettered = await writeDeadLetters(letters, records, deps);
  const failed = new Set([...committed.retry, ...lettered.retry, ...decoded.deferred]);
  return batchResult(records, decoded, failed, committed, lettered, {
    unsignedAccepted: signed.unsignedAccepted,
    statuses: deps.health === undefined ? 0 : split.statuses.length,
    healthWrites: health.writes,
    ...statusFigures(deps.health === undefined ? [] : split.statuses),
  });
}

/** What the alarms watch of a batch's statuses (PROCESSOR_METRICS). */
function statusFigures(statuses: readonly StoreStatus[]) {
  let devicesBacklogged = 0;
  let maxClockSkewSeconds = 0;
  for (const { event, arrivedAt } of statuses) {
    if (event.spool.bytes > 0 && event.spool.oldestUnsentAgeSeconds > 300) devicesBacklogged++;
    // Ahead only: a status that waited in the spool (an outage) arrives "behind".
    const skew = Math.max(0, Date.parse(event.occurredAt) - arrivedAt) / 1000;
    maxClockSkewSeconds = Math.max(maxClockSkewSeconds, Math.round(skew));
  }
  return { devicesBacklogged, maxClockSkewSeconds };
}

/**
 * Step 2c: device statuses apart from the events that count, each checked against the
 * registry (a status is its sender's own, for the store it is bound to).
 */
function splitStatuses(
  located: readonly Located[],
  senders: RegistryView,
): { counted: Located<CountedEvent>[]; statuses: StoreStatus[]; rejected: Rejected[] } {
  const counted: Located<CountedEvent>[] = [];
  const statuses: StoreStatus[] = [];
  const rejected: Rejected[] = [];
  for (const l of located) {
    if (!isStatus(l.event)) {
      counted.push(l as Located<CountedEvent>);
      continue;
    }
    const routing = routeStatus(l.event, senders);
    if (routing.ok) {
      statuses.push({
        event: l.event,
        arrivedAt: l.record.arrivedAt,
        kind: routing.kind,
        store: routing.store,
      });
    } else rejected.push({ located: l, rejection: routing.rejection });
  }
  return { counted, statuses, rejected };
}

/** What decoding left for the rest of the batch. */
interface Decoded {
  readonly located: readonly Located[];
  /** What the decoder refused, per record. */
  readonly refused: readonly { readonly record: StreamRecord; readonly refusal: Refusal }[];
  /** User records decoded: events, and those refused. */
  readonly events: number;
  /** The records past the inflate budget, left untouched to the next invocation. */
  readonly deferred: readonly StreamRecord[];
  /** Per record decoded, in batch order. */
  readonly byRecord: readonly DecodedRecordAt[];
}

/** Step 1: decodes records until the batch's inflate budget is spent (schema and size checks). */
function decodeWithinBudget(records: readonly StreamRecord[], deps: ProcessorDeps): Decoded {
  const budget = deps.inflatedBytesPerBatch ?? INFLATED_BYTES_PER_BATCH;
  const located: Located[] = [];
  const refused: Decoded['refused'][number][] = [];
  const byRecord: DecodedRecordAt[] = [];
  let events = 0;
  let inflated = 0;
  let deferred: readonly StreamRecord[] = [];
  for (const [i, record] of records.entries()) {
    if (i > 0 && inflated >= budget) {
      deferred = records.slice(i);
      break;
    }
    const decoded = decodeRecord(record.data);
    inflated += decoded.inflatedBytes;
    const mine: Located[] = [];
    for (const item of decoded.events) {
      const position = {
        shardId: record.shardId,
        sequenceNumber: record.sequenceNumber,
        subSequenceNumber: item.subSequenceNumber,
      };
      mine.push({ record, position, event: item.event });
    }
    located.push(...mine);
    for (const refusal of decoded.refused) refused.push({ record, refusal });
    const userRecords =
      decoded.events.length + decoded.refused.reduce((sum, r) => sum + r.count, 0);
    events += userRecords;
    byRecord.push({
      record,
      located: mine,
      ...(decoded.envelope !== undefined && { envelope: decoded.envelope }),
      ...(decoded.archivedSigner !== undefined && { archivedSigner: decoded.archivedSigner }),
      userRecords,
    });
  }
  if (deferred.length > 0) {
    deps.logger.warn('batch past its inflate budget; the rest is left to the next invocation', {
      inflatedBytes: inflated,
      budget,
      deferred: deferred.length,
    });
  }
  return { located, refused, events, deferred, byRecord };
}

/**
 * Step 2: the registry's entries for the batch's devices, its records' signers and its
 * stores; undefined if unreadable.
 */
async function lookUpSenders(
  decoded: Decoded,
  deps: ProcessorDeps,
): Promise<RegistryView | undefined> {
  const { located } = decoded;
  try {
    const registry = await deps.registry.load(
      unique([
        ...located.map((l) => l.event.deviceId),
        ...decoded.byRecord.flatMap((r) => {
          const signer = r.envelope?.signer ?? r.archivedSigner?.signer;
          return signer === undefined ? [] : [signer];
        }),
      ]),
      unique(located.map((l) => l.event.storeId).filter((s): s is string => s !== undefined)),
    );
    return {
      device: (id: string) => registry.devices.get(id),
      store: (id: string) => registry.stores.get(id),
    };
  } catch (error) {
    deps.logger.error('registry lookup failed; retrying the batch', { error: describe(error) });
    return undefined;
  }
}

/**
 * Step 2b: each record's signature (signature-check.ts). A record that fails is one dead
 * letter, whole, with the signature's reason (what the contract refused in it is not lettered
 * apart); its events go no further.
 */
function checkSignatures(
  decoded: Decoded,
  senders: RegistryView,
  policy: UnsignedPolicy,
): {
  located: Located[];
  letters: DeadLetter[];
  refusedRecords: Set<StreamRecord>;
  unsignedAccepted: number;
} {
  const located: Located[] = [];
  const letters: DeadLetter[] = [];
  const refusedRecords = new Set<StreamRecord>();
  let unsignedAccepted = 0;
  for (const r of decoded.byRecord) {
    // A signed record whose envelope cannot be read holds no events, and the decoder's letter
    // (undecodable) says what is wrong: it is not an unsigned record, under either policy.
    if (r.envelope === undefined && isBrokenEnvelope(r.record.data)) continue;
    const verdict = checkSignature(
      {
        ...(r.envelope !== undefined && { envelope: r.envelope }),
        ...(r.archivedSigner !== undefined && { archivedSigner: r.archivedSigner }),
        events: r.located.map((l) => l.event),
        arrivedAt: r.record.arrivedAt,
      },
      senders,
      policy,
    );
    if (verdict.ok) {
      if (verdict.unsigned) unsignedAccepted++;
      located.push(...r.located);
      continue;
    }
    refusedRecords.add(r.record);
    const first = r.located[0];
    const sender = (r.envelope ?? r.archivedSigner)?.signer ?? first?.event.deviceId;
    letters.push({
      ...envelope(r.record, 0, verdict.rejection.reason, verdict.rejection.detail),
      count: r.userRecords,
      ...(sender !== undefined && { deviceId: sender }),
      ...(r.located.length > 1 && {
        subSequenceNumbers: r.located.map((l) => l.position.subSequenceNumber),
        eventIds: r.located.map((l) => l.event.eventId),
      }),
      ...(r.located.length === 1 && first !== undefined && { eventId: first.event.eventId }),
    });
  }
  return { located, letters, refusedRecords, unsignedAccepted };
}

/** Bytes that open with the signed envelope's magic: a record its sender meant as signed. */
const isBrokenEnvelope = (data: StreamRecord['data']) =>
  data instanceof Uint8Array && isSignedEnvelope(data);

/** A home item and the batch's events that count in it. */
interface HomeEvents {
  readonly key: HomeWork['key'];
  readonly region: HomeWork['region'];
  readonly test: HomeWork['test'];
  readonly located: Located<CountedEvent>[];
}

/**
 * Step 3: checks each event's time and its sender's right to speak for its store or team, and
 * groups those that pass by the home item they count in (by item id).
 */
function routeToHomes(
  located: readonly Located<CountedEvent>[],
  senders: RegistryView,
  rules: EventTimeRules,
): { homes: Map<string, HomeEvents>; rejected: Rejected[] } {
  const homes = new Map<string, HomeEvents>();
  const rejected: Rejected[] = [];
  for (const l of located) {
    const badTime = checkEventTime(l.event, l.record.arrivedAt, rules);
    if (badTime !== undefined) {
      rejected.push({ located: l, rejection: badTime });
      continue;
    }
    const routing = routeEvent(l.event, senders);
    if (!routing.ok) {
      rejected.push({ located: l, rejection: routing.rejection });
      continue;
    }
    const id = itemId(homeItemKey(routing.home));
    let home = homes.get(id);
    if (home === undefined) {
      home = { key: routing.home, region: routing.region, test: routing.test, located: [] };
      homes.set(id, home);
    }
    home.located.push(l);
  }
  return { homes, rejected };
}

/** What the commit made of the batch's events. */
interface Committed {
  readonly counted: number;
  readonly duplicates: number;
  readonly writes: CommitStats;
  /** Events of an item at DynamoDB's size limit: they can never count. */
  readonly rejected: readonly Rejected[];
  /** Records holding events of an item that did not commit, to retry. */
  readonly retry: readonly StreamRecord[];
}

const NOTHING_COMMITTED: Committed = {
  counted: 0,
  duplicates: 0,
  writes: NO_WRITES,
  rejected: [],
  retry: [],
};

/**
 * Step 4: folds each home's events into it and commits it, with the summaries and rollups it
 * feeds (commit-aggregates.ts). Undefined if the items could not be read: retry the batch.
 */
async function commitEvents(
  homes: ReadonlyMap<string, HomeEvents>,
  deps: ProcessorDeps,
): Promise<Committed | undefined> {
  if (homes.size === 0) return NOTHING_COMMITTED;
  let committed: AggregatesCommit;
  try {
    const work = [...homes.values()].map((h) => ({
      key: h.key,
      region: h.region,
      test: h.test,
      events: h.located.map((l) => l.event),
    }));
    committed = await commitAggregates(work, deps.aggregates, deps.fold);
  } catch (error) {
    deps.logger.error('aggregate read failed; retrying the batch', { error: describe(error) });
    return undefined;
  }
  let counted = 0;
  let duplicates = 0;
  const rejected: Rejected[] = [];
  const retry: StreamRecord[] = [];
  for (const commit of committed.homes) {
    const home = homes.get(commit.id);
    counted += commit.counted;
    duplicates += commit.duplicates;
    if (commit.ok || home === undefined) continue;
    if (isItemTooLarge(commit.error)) {
      // Retrying cannot help an item at DynamoDB's size limit, and retrying would hold up
      // the shard: its events go to the dead-letter table, named, instead of being lost.
      deps.logger.error('aggregate item at the size limit; dead-lettering its events', {
        item: commit.id,
      });
      const rejection = {
        reason: 'aggregate_too_large' as const,
        detail:
          (commit.error as Error).name === 'PackedTooLargeError'
            ? `aggregate item ${commit.id}'s packed bookkeeping reached the size its readers inflate`
            : `aggregate item ${commit.id} reached the 400 KB item limit`,
      };
      for (const l of home.located) rejected.push({ located: l, rejection });
    } else if (commit.error instanceof HomeExpiredError) {
      // Its dedup state is gone: counting now could count an event twice or lose it.
      const rejection = {
        reason: 'too_old' as const,
        detail: `the item it counts in, ${commit.id}, has expired (its bookkeeping is kept ${HOME_KEPT})`,
      };
      for (const l of home.located) rejected.push({ located: l, rejection });
    } else {
      deps.logger.warn('aggregate item not committed; its records will be retried', {
        item: commit.id,
        error: describe(commit.error),
      });
      for (const l of home.located) retry.push(l.record);
    }
  }
  return { counted, duplicates, writes: committed.stats, rejected, retry };
}

/** What the dead-letter write made of the batch's letters. */
interface Lettered {
  readonly deadLettered: number;
  readonly deadLetterItems: number;
  /** Records whose letters could not be written, to retry. */
  readonly retry: readonly StreamRecord[];
}

/** Step 5: writes the batch's dead letters in one call, and logs each. */
async function writeDeadLetters(
  letters: readonly DeadLetter[],
  records: readonly StreamRecord[],
  deps: ProcessorDeps,
): Promise<Lettered> {
  if (letters.length === 0) return { deadLettered: 0, deadLetterItems: 0, retry: [] };
  try {
    await deps.deadLetters.put(letters);
  } catch (error) {
    deps.logger.error('dead-letter write failed; retrying those records', {
      error: describe(error),
    });
    const bySeq = new Map(records.map((r) => [r.sequenceNumber, r]));
    return {
      deadLettered: 0,
      deadLetterItems: 0,
      retry: letters.map((l) => bySeq.get(l.position.sequenceNumber) as StreamRecord),
    };
  }
  for (const letter of letters) {
    deps.logger.warn('record dead-lettered', {
      reason: letter.reason,
      detail: letter.detail,
      count: letter.count,
      shardId: letter.position.shardId,
      sequenceNumber: letter.position.sequenceNumber,
      subSequenceNumber: letter.position.subSequenceNumber,
    });
  }
  return {
    deadLettered: letters.reduce((sum, l) => sum + l.count, 0),
    deadLetterItems: letters.length,
    retry: [],
  };
}

/** Step 6: the records to retry, in batch order, and the batch's figures from every step. */
function batchResult(
  records: readonly StreamRecord[],
  decoded: Decoded,
  failed: ReadonlySet<StreamRecord>,
  committed: Committed = NOTHING_COMMITTED,
  lettered: Omit<Lettered, 'retry'> = { deadLettered: 0, deadLetterItems: 0 },
  extra: Pick<
    BatchStats,
    'unsignedAccepted' | 'statuses' | 'healthWrites' | 'devicesBacklogged' | 'maxClockSkewSeconds'
  > = {
    unsignedAccepted: 0,
    statuses: 0,
    healthWrites: 0,
    devicesBacklogged: 0,
    maxClockSkewSeconds: 0,
  },
): BatchResult {
  return {
    failedSequenceNumbers: records.filter((r) => failed.has(r)).map((r) => r.sequenceNumber),
    stats: {
      records: records.length,
      events: decoded.events,
      counted: committed.counted,
      duplicates: committed.duplicates,
      deadLettered: lettered.deadLettered,
      deadLetterItems: lettered.deadLetterItems,
      deferred: decoded.deferred.length,
      ...extra,
      failedRecords: failed.size,
      ...committed.writes,
    },
  };
}

/** A logger that also keeps the first error it is given (its message and the error's name). */
function watchErrors(logger: Logger): {
  logger: Logger;
  firstError: () => ShardStatus['error'];
} {
  let first: ShardStatus['error'];
  return {
    logger: {
      info: (message, fields) => logger.info(message, fields),
      warn: (message, fields) => logger.warn(message, fields),
      error: (message, fields) => {
        const name = (fields?.error as { name?: unknown } | undefined)?.name;
        first ??= { message, ...(typeof name === 'string' && { name: name.slice(0, 100) }) };
        logger.error(message, fields);
      },
    },
    firstError: () => first,
  };
}

/** Step 7 (live only): the shard's status after this batch. */
async function recordShardStatus(
  records: readonly StreamRecord[],
  result: BatchResult,
  error: ShardStatus['error'],
  deps: ProcessorDeps,
): Promise<void> {
  const [first] = records;
  if (first === undefined || deps.status === undefined) return;
  const now = deps.now?.() ?? Date.now();
  const newest = records.reduce((max, r) => Math.max(max, r.arrivedAt), 0);
  const { stats } = result;
  try {
    await deps.status.record({
      shardId: first.shardId,
      batchAt: new Date(now).toISOString(),
      newestArrivedAt: new Date(newest).toISOString(),
      iteratorAgeMs: Math.max(0, now - newest),
      records: stats.records,
      events: stats.events,
      counted: stats.counted,
      deadLettered: stats.deadLettered,
      failedRecords: stats.failedRecords,
      ...(error !== undefined && { error }),
    });
  } catch (e) {
    deps.logger.warn('shard status not written; the batch is unaffected', { error: describe(e) });
  }
}

/**
 * DynamoDB's refusal of an item over 400 KB, or the codec's of bookkeeping past what its
 * readers inflate (PackedTooLargeError): permanent for that item, whatever the retries.
 */
export function isItemTooLarge(error: unknown): boolean {
  return (
    error instanceof Error &&
    ((error.name === 'ValidationException' && /item size/i.test(error.message)) ||
      error.name === 'PackedTooLargeError')
  );
}

/** The letter of a record the decoder refused (all its user records, for one reason). */
function refusalLetter({ record, refusal }: Decoded['refused'][number]): DeadLetter {
  const [first = 0] = refusal.subSequenceNumbers;
  return {
    ...envelope(record, first, refusal.reason, refusal.detail),
    count: refusal.count,
    ...(refusal.subSequenceNumbers.length > 1 && {
      subSequenceNumbers: refusal.subSequenceNumbers,
    }),
  };
}

/**
 * The letters of decoded events that cannot count: one per record and reason, so the letters
 * one record causes are bounded by the reasons, however many user records it holds.
 */
function rejectionLetters(rejected: readonly Rejected[]): DeadLetter[] {
  const groups = new Map<StreamRecord, Map<PoisonReason, { detail: string; located: Located[] }>>();
  for (const { located: l, rejection } of rejected) {
    let byReason = groups.get(l.record);
    if (byReason === undefined) {
      byReason = new Map();
      groups.set(l.record, byReason);
    }
    const group = byReason.get(rejection.reason);
    if (group === undefined)
      byReason.set(rejection.reason, { detail: rejection.detail, located: [l] });
    else group.located.push(l);
  }
  const letters: DeadLetter[] = [];
  for (const [record, byReason] of groups) {
    for (const [reason, group] of byReason) {
      const located = [...group.located].sort(
        (a, b) => a.position.subSequenceNumber - b.position.subSequenceNumber,
      );
      const first = located[0] as Located;
      letters.push({
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
  return letters;
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
