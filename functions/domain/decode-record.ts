import {
  type ContractIssue,
  type ParseResult,
  parseTelemetryJson,
  type TelemetryEvent,
} from '#contract';
import { openRecord, type SignedEnvelope } from '#wire';
import type { PoisonReason } from './route-event.js';

/** The reasons decodeRecord refuses a user record for: the contract's, and the limits'. */
export const REFUSAL_REASONS = [
  'undecodable',
  'schema_violation',
  'oversized_record',
] as const satisfies readonly PoisonReason[];
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

// The limits on the work one record can cause (MAX_INFLATED_BYTES, MAX_USER_RECORDS) are the
// wire format's, derived beside it in edge-client/src/wire/limits.ts.

/**
 * How many times its size a compressed record (gzip or dictionary-deflate) must inflate to
 * before its user records are judged through a ParseMemo. The edge client's full aggregates
 * inflate ~7.5 times gzipped (see INFLATED_BYTES_PER_BATCH) and ~8 times with the preset
 * dictionary (~5.6 at a store gateway's 9 events a record), and a memo costs an honest record ~20% more time (a key of each
 * user record's bytes), so honest records go without. A record below this ratio carries at
 * most 16 / SMALLEST_EVENT_BYTES user records per byte (~68 per KB), a fifth of what distinct
 * events can pack (~330 per KB, each one a parse, memo or not; `npm run bench:archive`), so
 * without a memo it costs no more than the worst a memo cannot help.
 */
export const MEMO_MIN_INFLATION = 16;

/** Where an event sat in the stream: a Kinesis record, and its index inside an aggregated one. */
export interface RecordPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/**
 * A user record the contract accepts: its index in the record, the event, its exact bytes.
 * In a record judged through a ParseMemo, user records with identical bytes are judged once
 * and share one `event` and one `bytes` object, which lets a consumer (the raw archive) keep
 * them once.
 */
export interface DecodedEvent {
  readonly subSequenceNumber: number;
  readonly event: TelemetryEvent;
  readonly bytes: Uint8Array;
}

/**
 * User records of one record that the contract refuses for one reason: all of them in one
 * entry (the detail is the first one's), so that a record of thousands of bad user records is
 * one refusal, not thousands. `count` is how many user records it stands for; it exceeds the
 * sub-sequence numbers listed only for a record refused whole (then `[0]`) that held several.
 */
export interface Refusal {
  readonly reason: RefusalReason;
  /** Field paths and the contract's expectations; never the refused values. */
  readonly detail: string;
  readonly subSequenceNumbers: readonly number[];
  readonly count: number;
}

/** What one Kinesis record holds: its contract events, and what the contract refused. */
export interface DecodedRecord {
  /** Bytes the record inflated to (its size, when not compressed): what a batch budget counts. */
  readonly inflatedBytes: number;
  readonly events: readonly DecodedEvent[];
  readonly refused: readonly Refusal[];
  /** The signed envelope the record came in (its signature is checked by the processor). */
  readonly envelope?: SignedEnvelope;
  /**
   * Who signed a record read back from the raw archive's screened form (a record the contract
   * refused in part), which keeps the signer but not the signature: see signature-check.ts.
   */
  readonly archivedSigner?: ArchivedSigner;
}

/**
 * A record as the raw archive keeps one that the contract refused in part or whole (see
 * functions/archive/archive-line.ts): the user records it accepted, exact bytes at their
 * sub-sequence numbers, and the refusals without the refused bytes.
 */
export interface ScreenedPayload {
  /** Size of the record as it was on the stream. */
  readonly sizeBytes: number;
  readonly kept: readonly { readonly subSequenceNumber: number; readonly data: Uint8Array }[];
  readonly refused: readonly Refusal[];
  /** Who signed the record, with which key (the signature bytes are not kept). */
  readonly signedBy?: ArchivedSigner;
}

/** The signer and key of a signed record the archive screened. */
export interface ArchivedSigner {
  readonly signer: string;
  readonly keyId: string;
  /**
   * The archive verified the signature under that key when it screened the record; absent,
   * the signer and key id are only the record's claim (signature-check.ts refuses it).
   */
  readonly verified?: true;
}

const whole = (reason: RefusalReason, detail: string, bytes: number, count = 1): DecodedRecord => ({
  inflatedBytes: bytes,
  events: [],
  refused: [{ reason, detail, subSequenceNumbers: [0], count }],
});

/**
 * Turns one Kinesis record into contract events: the one judge of what a record holds, for
 * the processor and the raw archive alike. A plain record holds one JSON event; a KPL
 * aggregated record (possibly compressed: gzip or dictionary-deflate) holds many, each with its
 * sub-sequence number (its index). Each user record is judged on its own, so one bad event in
 * an aggregate does not sink its neighbours; refusals are grouped by reason. An aggregate whose
 * checksum or framing is broken is refused whole (it cannot be trusted), and so is one past
 * the limits above. A record the archive screened replays as it was judged live.
 */
export function decodeRecord(record: Uint8Array | ScreenedPayload): DecodedRecord {
  if (!(record instanceof Uint8Array)) return decodeScreened(record);
  const opened = openRecord(record);
  if (opened.kind === 'refused') {
    const reason = opened.why === 'oversized' ? 'oversized_record' : 'undecodable';
    const refused = whole(reason, opened.detail, opened.bytes, opened.count);
    return opened.envelope === undefined ? refused : { ...refused, envelope: opened.envelope };
  }
  const { data } = opened;
  const refusals = new RefusalBook();
  const memo =
    data.byteLength > MEMO_MIN_INFLATION * record.byteLength ? new ParseMemo(byContent) : undefined;
  const users = opened.kind === 'plain' ? [{ data }] : opened.users;
  const events: DecodedEvent[] = [];
  for (const [i, user] of users.entries()) {
    const event = decodeEvent(user.data, i, refusals, memo);
    if (event !== undefined) events.push(event);
  }
  return {
    inflatedBytes: data.byteLength,
    events,
    refused: refusals.all(),
    ...(opened.envelope !== undefined && { envelope: opened.envelope }),
  };
}

/** A screened record: its kept user records are judged again (the same parse), refusals kept. */
function decodeScreened(payload: ScreenedPayload): DecodedRecord {
  const refusals = new RefusalBook(payload.refused);
  // The archive reads a repeated user record back as one shared buffer: that is its key.
  const memo = new ParseMemo((bytes) => bytes);
  const events: DecodedEvent[] = [];
  let inflatedBytes = 0;
  for (const user of payload.kept) {
    inflatedBytes += user.data.byteLength;
    const event = decodeEvent(user.data, user.subSequenceNumber, refusals, memo);
    if (event !== undefined) events.push(event);
  }
  return {
    inflatedBytes,
    events,
    refused: refusals.all(),
    ...(payload.signedBy !== undefined && { archivedSigner: payload.signedBy }),
  };
}

/**
 * The contract's verdicts on the user records of one record, by their exact bytes: a hostile
 * aggregate of thousands of identical events (~4 KB of gzip for 1 MiB of events) costs one
 * parse, not thousands, and identical events get one shared result. A memo lives for one
 * record, so it holds at most MAX_USER_RECORDS entries, keyed by at most MAX_INFLATED_BYTES.
 */
class ParseMemo {
  private readonly verdicts = new Map<
    unknown,
    { readonly bytes: Uint8Array; readonly parsed: ParseResult }
  >();

  constructor(private readonly keyOf: (bytes: Uint8Array) => unknown) {}

  parse(bytes: Uint8Array): { bytes: Uint8Array; parsed: ParseResult } {
    const key = this.keyOf(bytes);
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = { bytes, parsed: parseTelemetryJson(bytes) };
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }
}

const byContent = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

function decodeEvent(
  user: Uint8Array,
  subSequenceNumber: number,
  refusals: RefusalBook,
  memo: ParseMemo | undefined,
): DecodedEvent | undefined {
  const { bytes, parsed } = memo?.parse(user) ?? { bytes: user, parsed: parseTelemetryJson(user) };
  if (parsed.ok) return { subSequenceNumber, event: parsed.event, bytes };
  const reason = parsed.kind === 'undecodable' ? 'undecodable' : 'schema_violation';
  refusals.add(reason, subSequenceNumber, () => describeIssues(parsed.issues));
  return undefined;
}

/** Refusals of one record, one per reason in order of first sight. */
class RefusalBook {
  private readonly byReason = new Map<
    RefusalReason,
    { detail: string; subSequenceNumbers: number[]; count: number }
  >();

  constructor(initial: readonly Refusal[] = []) {
    for (const r of initial) {
      this.byReason.set(r.reason, {
        detail: r.detail,
        subSequenceNumbers: [...r.subSequenceNumbers],
        count: r.count,
      });
    }
  }

  add(reason: RefusalReason, subSequenceNumber: number, detail: () => string): void {
    const entry = this.byReason.get(reason);
    if (entry === undefined) {
      this.byReason.set(reason, {
        detail: detail(),
        subSequenceNumbers: [subSequenceNumber],
        count: 1,
      });
    } else {
      entry.subSequenceNumbers.push(subSequenceNumber);
      entry.count++;
    }
  }

  all(): Refusal[] {
    return [...this.byReason].map(([reason, r]) => ({
      reason,
      detail: r.detail,
      subSequenceNumbers: [...r.subSequenceNumbers].sort((a, b) => a - b),
      count: r.count,
    }));
  }
}

// A path segment is kept only if it looks like a field name: an unknown key is chosen by the
// sender and could itself carry text about a person, so anything else is not repeated.
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$|^\d{1,6}$/;

/**
 * The contract's issues as a dead-letter detail: field paths and what the contract expects.
 * The contract's messages never quote a value; an unknown key that does not look like a field
 * name is shown as `(key)`, since its name is the sender's text.
 */
export function describeIssues(issues: readonly ContractIssue[]): string {
  return issues
    .map((i) => {
      const path = i.path
        .split('.')
        .map((segment) => (FIELD_NAME.test(segment) || segment === '(event)' ? segment : '(key)'))
        .join('.');
      return `${path}: ${i.message}`;
    })
    .join('; ');
}
