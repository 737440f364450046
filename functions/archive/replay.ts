import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  compareSequence,
  type DeadLetterKey,
  type LetterReplay,
  type listDeadLetters,
  parseDeadLetterId,
  positionKey,
  readStreamRecords,
  type StoredDeadLetter,
  type StreamPosition,
} from '#adapters';
import { addDays } from '#domain/calendar';
import { isRecoverable, RECOVERABLE_REASONS } from '#domain/dead-letter-advice';
import { deadLetterKeyOf } from '#domain/dead-letter-id';
import type { DeadLetter, DeadLetterSink } from '#domain/ports';
import type { ProcessorDeps, StreamRecord } from '#processor';
import { readArchiveDays } from './read-archive.js';
import { rebuildFromRecords } from './rebuild.js';

/** Reading the dead-letter table, as a replay selects its letters. */
export interface LetterReader {
  list(
    query: Parameters<typeof listDeadLetters>[2],
  ): Promise<{ letters: StoredDeadLetter[]; truncated: boolean }>;
  get(key: DeadLetterKey): Promise<StoredDeadLetter | undefined>;
}

/**
 * The letters a replay takes, for the CLI and the ops API alike: the ones named (each stored
 * letter once, however its id is spelled; `missing` the ids of none), or a range's letters
 * whose reason a fix can recover (or of the one `reason` given) that no replay has counted.
 */
export async function selectReplayLetters(
  reader: LetterReader,
  selection:
    | { readonly ids: readonly string[] }
    | {
        readonly dates: readonly string[];
        readonly limit: number;
        readonly reason?: string;
        readonly deviceId?: string;
      },
): Promise<{ letters: StoredDeadLetter[]; truncated: boolean; missing: string[] }> {
  if ('ids' in selection) {
    const letters = new Map<string, StoredDeadLetter>();
    const missing: string[] = [];
    for (const id of new Set(selection.ids)) {
      // The callers checked the ids; one that does not parse names no letter.
      const key = deadLetterKeyOf(id);
      const letter = key === undefined ? undefined : await reader.get(key);
      if (letter === undefined) missing.push(id);
      else letters.set(letter.id, letter);
    }
    return { letters: [...letters.values()], truncated: false, missing };
  }
  const { letters, truncated } = await reader.list({
    dates: selection.dates,
    limit: selection.limit,
    ...(selection.reason === undefined
      ? { reasons: RECOVERABLE_REASONS() }
      : { reason: selection.reason }),
    ...(selection.deviceId !== undefined && { deviceId: selection.deviceId }),
    unresolved: true,
  });
  return { letters, truncated, missing: [] };
}

/** A record a letter stands for: where it sits, and the UTC date it arrived on. */
export interface WantedRecord extends StreamPosition {
  readonly arrivalDate: string;
}

/** Somewhere the letters' records can be read back from: the stream, or the raw archive. */
export interface RecordSource {
  readonly name: 'stream' | 'archive';
  /** The records it holds of `wanted`, by `positionKey`; the others are absent. */
  fetch(wanted: readonly WantedRecord[]): Promise<ReadonlyMap<string, StreamRecord>>;
}

/** The stream, while it retains the records (7 days). */
export const streamSource = (client: KinesisClient, streamName: string): RecordSource => ({
  name: 'stream',
  fetch: (wanted) => readStreamRecords(client, streamName, wanted),
});

/**
 * The raw archive in a folder (the embedded stack's, or the bucket's `raw/` synced down):
 * the folders of the records' arrival dates and of the day after (Firehose files a record by
 * when it reached Firehose, which may be past midnight). It keeps what the contract accepts
 * (archive-line.ts), which is every event a registry fix can make count.
 */
export const archiveSource = (dir: string): RecordSource => ({
  name: 'archive',
  async fetch(wanted) {
    const keys = new Set(wanted.map(positionKey));
    const days = new Set(wanted.flatMap((w) => [w.arrivalDate, addDays(w.arrivalDate, 1)]));
    const found = new Map<string, StreamRecord>();
    for (const record of readArchiveDays(dir, [...days].sort())) {
      const key = positionKey(record);
      if (keys.has(key) && !found.has(key)) found.set(key, record);
    }
    return found;
  },
});

/** What a replay made, or (dry run) would try to make, of one letter. */
export type LetterOutcome =
  /** Dry run: its record was found, and a replay would judge it again. */
  | 'would_replay'
  /** Nothing of it was dead-lettered again: its events counted (or had counted already). */
  | 'counted'
  /** The processor refused its events again (`reasons`): the fix is not in place yet. */
  | 'refused_again'
  /** Neither the stream nor the archive holds its record. */
  | 'not_found'
  /** Its reason is one a replay judges the same way again (adviceFor's recovery). */
  | 'not_replayable';

export interface LetterResult {
  readonly id: string;
  readonly reason: string;
  readonly count: number;
  /** When it was dead-lettered (what a replay that counts it resolved began then). */
  readonly deadLetteredAt: string;
  readonly outcome: LetterOutcome;
  readonly source?: RecordSource['name'];
  readonly reasons?: readonly string[];
}

export interface ReplayReport {
  readonly dryRun: boolean;
  readonly letters: number;
  /** Distinct records of the replayable letters, and where each was found. */
  readonly records: {
    readonly wanted: number;
    readonly stream: number;
    readonly archive: number;
    readonly notFound: number;
  };
  /** Events the replay counted, and those it found counted already. */
  readonly counted: number;
  readonly duplicates: number;
  /** Events dead-lettered again. */
  readonly deadLettered: number;
  readonly results: readonly LetterResult[];
}

export interface ReplayOptions {
  /** Tried in order: a record is read from the first that holds it. */
  readonly sources: readonly RecordSource[];
  /**
   * The live processor's dependencies (`processorDeps` of its configuration) around a
   * dead-letter sink: the replay judges every record as the live processor does.
   */
  readonly processor: (deadLetters: DeadLetterSink) => ProcessorDeps;
  /** The table's sink, which the replay's sink forwards to. */
  readonly deadLetters: DeadLetterSink;
  /** Records on each letter what the replay made of it (`markReplayed`). */
  readonly mark: (
    marks: readonly { key: ReturnType<typeof parseDeadLetterId>; replay: LetterReplay }[],
  ) => Promise<void>;
  /** Find the records and say what would be replayed, without processing anything. */
  readonly dryRun: boolean;
  readonly now?: () => Date;
}

/**
 * Replays dead letters: reads each replayable letter's record back (the stream while it holds
 * it, else the raw archive) and runs it through the same exactly-once processor as live
 * traffic, so that a letter whose cause was fixed (a device registered late) counts, once.
 * Everything else in the record is judged again the same way: its events that counted are
 * duplicates now, and its other letters are written again as they were. Replaying twice
 * changes nothing. Each letter is then marked with what the replay made of it.
 */
export async function replayDeadLetters(
  letters: readonly StoredDeadLetter[],
  options: ReplayOptions,
): Promise<ReplayReport> {
  const replayable = letters.filter((l) => isRecoverable(l.reason));
  const wanted = distinctRecords(replayable);
  const found = await fetchFromSources(wanted, options.sources);
  const records = {
    wanted: wanted.length,
    stream: [...found.values()].filter((f) => f.source === 'stream').length,
    archive: [...found.values()].filter((f) => f.source === 'archive').length,
    notFound: wanted.length - found.size,
  };
  if (options.dryRun) {
    const results = letters.map((l) => planned(l, found, 'would_replay'));
    return { dryRun: true, letters: letters.length, records, ...NOTHING, results };
  }
  const written: DeadLetter[] = [];
  const sink: DeadLetterSink = {
    async put(batch) {
      await options.deadLetters.put(batch);
      written.push(...batch);
    },
  };
  const ordered = [...found.values()].map((f) => f.record).sort(byPosition);
  const report = await rebuildFromRecords(ordered, options.processor(sink));
  const results = letters.map((l) => judged(l, found, written));
  const at = (options.now?.() ?? new Date()).toISOString();
  await options.mark(
    results.flatMap((r) =>
      r.outcome === 'counted' || r.outcome === 'refused_again'
        ? [
            {
              key: parseDeadLetterId(r.id),
              replay: {
                at,
                outcome: r.outcome,
                ...(r.reasons !== undefined && { reasons: r.reasons }),
              },
            },
          ]
        : [],
    ),
  );
  return {
    dryRun: false,
    letters: letters.length,
    records,
    counted: report.counted,
    duplicates: report.duplicates,
    deadLettered: report.deadLettered,
    results,
  };
}

const NOTHING = { counted: 0, duplicates: 0, deadLettered: 0 };

interface Found {
  readonly record: StreamRecord;
  readonly source: RecordSource['name'];
}

function distinctRecords(letters: readonly StoredDeadLetter[]): WantedRecord[] {
  const byKey = new Map<string, WantedRecord>();
  for (const l of letters) {
    byKey.set(positionKey(l), {
      shardId: l.shardId,
      sequenceNumber: l.sequenceNumber,
      arrivalDate: l.id.slice(0, 10),
    });
  }
  return [...byKey.values()];
}

async function fetchFromSources(
  wanted: readonly WantedRecord[],
  sources: readonly RecordSource[],
): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  for (const source of sources) {
    const missing = wanted.filter((w) => !found.has(positionKey(w)));
    if (missing.length === 0) break;
    for (const [key, record] of await source.fetch(missing)) {
      found.set(key, { record, source: source.name });
    }
  }
  return found;
}

const byPosition = (a: StreamRecord, b: StreamRecord) =>
  a.shardId.localeCompare(b.shardId) || compareSequence(a.sequenceNumber, b.sequenceNumber);

/** A letter before processing: not replayable, not found, or `outcome`. */
function planned(
  letter: StoredDeadLetter,
  found: ReadonlyMap<string, Found>,
  outcome: LetterOutcome,
): LetterResult {
  const base = {
    id: letter.id,
    reason: letter.reason,
    count: letter.count,
    deadLetteredAt: letter.deadLetteredAt,
  };
  if (!isRecoverable(letter.reason)) {
    return { ...base, outcome: 'not_replayable' };
  }
  const source = found.get(positionKey(letter))?.source;
  return source === undefined ? { ...base, outcome: 'not_found' } : { ...base, outcome, source };
}

/**
 * A letter after processing: refused again if the replay wrote a letter for any of the user
 * records it stands for (same record, a shared sub-sequence number), counted otherwise.
 */
function judged(
  letter: StoredDeadLetter,
  found: ReadonlyMap<string, Found>,
  written: readonly DeadLetter[],
): LetterResult {
  const result = planned(letter, found, 'counted');
  if (result.outcome !== 'counted') return result;
  const subs = new Set(letter.subSequenceNumbers);
  const again = written.filter(
    (w) =>
      w.position.shardId === letter.shardId &&
      w.position.sequenceNumber === letter.sequenceNumber &&
      (w.subSequenceNumbers ?? [w.position.subSequenceNumber]).some((s) => subs.has(s)),
  );
  if (again.length === 0) return result;
  return { ...result, outcome: 'refused_again', reasons: [...new Set(again.map((w) => w.reason))] };
}
