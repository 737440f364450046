import { gunzipSync } from 'node:zlib';
import {
  AggregateFormatError,
  decodeAggregate,
  isAggregated,
} from '../../edge-client/src/aggregation/kpl-format.js';
import { parseTelemetryJson, type TelemetryEvent } from '../../edge-client/src/contract/index.js';
import type { Rejection } from './route-event.js';

const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
const isGzip = (data: Uint8Array) => data.byteLength > 2 && data[0] === 0x1f && data[1] === 0x8b;

/** Where an event sat in the stream: a Kinesis record, and its index inside an aggregated one. */
export interface RecordPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** One user record of a Kinesis record: an event, or why it cannot be one. */
export type DecodedItem =
  | { readonly ok: true; readonly subSequenceNumber: number; readonly event: TelemetryEvent }
  | { readonly ok: false; readonly subSequenceNumber: number; readonly rejection: Rejection };

/**
 * Turns one Kinesis record into contract events. A plain record holds one JSON event; a KPL
 * aggregated record (possibly gzipped by the edge client) holds many, each with its sub-sequence number (its index). Each user
 * record is judged on its own, so one bad event in an aggregate does not sink its neighbours;
 * an aggregate whose checksum or framing is broken is rejected whole (it cannot be trusted).
 */
export function decodeRecord(record: Uint8Array): DecodedItem[] {
  let data = record;
  if (isGzip(record)) {
    try {
      // Bounded: a Kinesis record is at most 1 MiB, and no honest aggregate inflates past 4.
      data = gunzipSync(record, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch {
      return [
        {
          ok: false,
          subSequenceNumber: 0,
          rejection: { reason: 'undecodable', detail: 'corrupt or oversized gzip record' },
        },
      ];
    }
    if (!isAggregated(data)) {
      return [
        {
          ok: false,
          subSequenceNumber: 0,
          rejection: {
            reason: 'undecodable',
            detail: 'gzip record without a KPL aggregate inside',
          },
        },
      ];
    }
  }
  if (!isAggregated(data)) return [decodeEvent(data, 0)];
  let users: ReturnType<typeof decodeAggregate>;
  try {
    users = decodeAggregate(data);
  } catch (error) {
    const detail =
      error instanceof AggregateFormatError
        ? `corrupt KPL aggregate: ${error.message}`
        : 'corrupt KPL aggregate';
    return [{ ok: false, subSequenceNumber: 0, rejection: { reason: 'undecodable', detail } }];
  }
  return users.map((user, i) => decodeEvent(user.data, i));
}

function decodeEvent(bytes: Uint8Array, subSequenceNumber: number): DecodedItem {
  const parsed = parseTelemetryJson(bytes);
  if (parsed.ok) return { ok: true, subSequenceNumber, event: parsed.event };
  const detail = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const reason = parsed.kind === 'undecodable' ? 'undecodable' : 'schema_violation';
  return { ok: false, subSequenceNumber, rejection: { reason, detail } };
}
