import { InflateLimitError } from './bounded-inflate.js';
import {
  inflateWithDictionary,
  isDictionaryDeflate,
  UnknownDictionaryError,
} from './dictionary-deflate.js';
import { inflateRecord, isGzip } from './gzip.js';
import {
  AggregateFormatError,
  AggregateLimitError,
  decodeAggregate,
  isAggregated,
  type UserRecord,
} from './kpl-format.js';
import { MAX_INFLATED_BYTES, MAX_USER_RECORDS } from './limits.js';
import {
  EnvelopeFormatError,
  isSignedEnvelope,
  parseEnvelope,
  type SignedEnvelope,
} from './signed-envelope.js';

/**
 * What the framing of one Kinesis record holds, before any user record is judged: one plain
 * user record, the user records of a KPL aggregate (compressed or not), or a refusal of the whole
 * record because its framing is broken (`corrupt`) or past the limits (`oversized`).
 */
export type OpenedRecord =
  | { readonly kind: 'plain'; readonly data: Uint8Array; readonly envelope?: SignedEnvelope }
  | {
      readonly kind: 'aggregate';
      readonly data: Uint8Array;
      readonly users: UserRecord[];
      /** The signed envelope the record came in, if signed (verified by the consumer). */
      readonly envelope?: SignedEnvelope;
    }
  | {
      readonly kind: 'refused';
      readonly why: 'corrupt' | 'oversized';
      readonly detail: string;
      /** Bytes the record inflated to, as far as it was read. */
      readonly bytes: number;
      /** How many user records it stands for (an aggregate's entry count, else 1). */
      readonly count: number;
      /** The signed envelope whose body this is, if the envelope itself could be read. */
      readonly envelope?: SignedEnvelope;
    };

const refused = (
  why: 'corrupt' | 'oversized',
  detail: string,
  bytes: number,
  count = 1,
): OpenedRecord => ({ kind: 'refused', why, detail, bytes, count });

/** The compressed body formats a record may come in: each holds a KPL aggregate. */
const COMPRESSIONS = [
  { name: 'gzip', is: isGzip, inflate: inflateRecord },
  { name: 'dictionary-deflate', is: isDictionaryDeflate, inflate: inflateWithDictionary },
] as const;

/**
 * Opens one Kinesis record's framing: reads a signed envelope (signed-envelope.ts) and opens
 * its body, inflates gzip or dictionary-deflate (never past MAX_INFLATED_BYTES) and splits
 * a KPL aggregate (never one of more than MAX_USER_RECORDS entries). A compressed record must
 * hold an aggregate (the edge client compresses nothing else); an aggregate whose checksum or
 * framing is broken is refused whole, since it cannot be trusted.
 */
export function openRecord(record: Uint8Array): OpenedRecord {
  if (!isSignedEnvelope(record)) return openBody(record);
  let envelope: SignedEnvelope;
  try {
    envelope = parseEnvelope(record);
  } catch (error) {
    const detail = error instanceof EnvelopeFormatError ? error.message : 'corrupt signed record';
    return refused('corrupt', detail, record.byteLength);
  }
  if (isSignedEnvelope(envelope.body))
    return refused('corrupt', 'a signed record inside a signed record', record.byteLength);
  return { ...openBody(envelope.body), envelope };
}

/** Opens an unsigned record, or the body of a signed one. */
function openBody(record: Uint8Array): OpenedRecord {
  let data = record;
  const compression = COMPRESSIONS.find((c) => c.is(record));
  if (compression !== undefined) {
    try {
      data = compression.inflate(record);
    } catch (error) {
      if (error instanceof InflateLimitError)
        return refused(
          'oversized',
          `${compression.name} record inflates past ${MAX_INFLATED_BYTES} bytes, more than any honest producer's`,
          MAX_INFLATED_BYTES,
        );
      if (error instanceof UnknownDictionaryError)
        return refused('corrupt', error.message, record.byteLength);
      return refused('corrupt', `corrupt ${compression.name} record`, record.byteLength);
    }
    if (!isAggregated(data)) {
      return refused(
        'corrupt',
        `${compression.name} record without a KPL aggregate inside`,
        data.byteLength,
      );
    }
  }
  if (!isAggregated(data)) return { kind: 'plain', data };
  try {
    return {
      kind: 'aggregate',
      data,
      users: decodeAggregate(data, { maxRecords: MAX_USER_RECORDS }),
    };
  } catch (error) {
    if (error instanceof AggregateLimitError) {
      return refused(
        'oversized',
        `KPL aggregate of ${error.entries} entries, more than the ${error.limit} user records an honest aggregate can hold`,
        data.byteLength,
        error.entries,
      );
    }
    const detail =
      error instanceof AggregateFormatError
        ? `corrupt KPL aggregate: ${error.message}`
        : 'corrupt KPL aggregate';
    return refused('corrupt', detail, data.byteLength);
  }
}
