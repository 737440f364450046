import { InflateLimitError, inflateRecord, isGzip } from './gzip.js';
import {
  AggregateFormatError,
  AggregateLimitError,
  decodeAggregate,
  isAggregated,
  type UserRecord,
} from './kpl-format.js';
import { MAX_INFLATED_BYTES, MAX_USER_RECORDS } from './limits.js';

/**
 * What the framing of one Kinesis record holds, before any user record is judged: one plain
 * user record, the user records of a KPL aggregate (gzipped or not), or a refusal of the whole
 * record because its framing is broken (`corrupt`) or past the limits (`oversized`).
 */
export type OpenedRecord =
  | { readonly kind: 'plain'; readonly data: Uint8Array }
  | { readonly kind: 'aggregate'; readonly data: Uint8Array; readonly users: UserRecord[] }
  | {
      readonly kind: 'refused';
      readonly why: 'corrupt' | 'oversized';
      readonly detail: string;
      /** Bytes the record inflated to, as far as it was read. */
      readonly bytes: number;
      /** How many user records it stands for (an aggregate's entry count, else 1). */
      readonly count: number;
    };

const refused = (
  why: 'corrupt' | 'oversized',
  detail: string,
  bytes: number,
  count = 1,
): OpenedRecord => ({ kind: 'refused', why, detail, bytes, count });

/**
 * Opens one Kinesis record's framing: inflates gzip (never past MAX_INFLATED_BYTES) and splits
 * a KPL aggregate (never one of more than MAX_USER_RECORDS entries). A gzip record must hold
 * an aggregate (the edge client gzips nothing else); an aggregate whose checksum or framing is
 * broken is refused whole, since it cannot be trusted.
 */
export function openRecord(record: Uint8Array): OpenedRecord {
  let data = record;
  if (isGzip(record)) {
    try {
      data = inflateRecord(record);
    } catch (error) {
      return error instanceof InflateLimitError
        ? refused(
            'oversized',
            `gzip record inflates past ${MAX_INFLATED_BYTES} bytes, more than any honest producer's`,
            MAX_INFLATED_BYTES,
          )
        : refused('corrupt', 'corrupt gzip record', record.byteLength);
    }
    if (!isAggregated(data)) {
      return refused('corrupt', 'gzip record without a KPL aggregate inside', data.byteLength);
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
