import { parseTelemetryJson, type TelemetryEvent } from '../../edge-client/src/contract/index.js';
import type { Rejection } from './route-event.js';

/** Where an event sat in the stream: a Kinesis record, and its index inside an aggregated one. */
export interface RecordPosition {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

export type DecodedRecord =
  | { readonly ok: true; readonly events: readonly TelemetryEvent[] }
  | { readonly ok: false; readonly rejection: Rejection };

/**
 * Turns one record's bytes into contract events: one JSON event per record. A record that is
 * not JSON, or breaks the contract, is rejected with the contract's issue list (field paths and
 * expectations, never values).
 */
export function decodeRecord(data: Uint8Array): DecodedRecord {
  const parsed = parseTelemetryJson(data);
  if (parsed.ok) return { ok: true, events: [parsed.event] };
  const detail = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  const undecodable = parsed.issues.every((i) => i.path === '(event)');
  return {
    ok: false,
    rejection: { reason: undecodable ? 'undecodable' : 'schema_violation', detail },
  };
}
