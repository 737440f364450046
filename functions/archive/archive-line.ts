import * as z from 'zod';
import { decodeRecord, REFUSAL_REASONS } from '../domain/decode-record.js';
import type { RawStreamRecord, StreamRecord } from '../processor/process-batch.js';

const position = {
  shardId: z.string().min(1),
  sequenceNumber: z.string().regex(/^\d+$/),
  partitionKey: z.string(),
  arrivedAt: z.number().int().min(0),
};

/** Version 1: a record the contract accepts whole, with its exact bytes (base64). */
const WholeLine = z.object({ ...position, data: z.base64() }).strict();

/**
 * Version 2: a record the contract refuses in part or whole. It keeps the accepted user
 * records (exact bytes at their sub-sequence numbers, so a replay judges and keys them as the
 * live processor did) and, for the refused ones, only their positions, reason and detail
 * (field paths and the contract's expectations, never values).
 */
const ScreenedLine = z
  .object({
    v: z.literal(2),
    ...position,
    sizeBytes: z.number().int().min(0),
    kept: z.array(
      z.object({ subSequenceNumber: z.number().int().min(0), data: z.base64() }).strict(),
    ),
    refused: z
      .array(
        z
          .object({
            reason: z.enum(REFUSAL_REASONS),
            detail: z.string(),
            subSequenceNumbers: z.array(z.number().int().min(0)).min(1),
            count: z.number().int().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/**
 * One raw Kinesis record in the archive, as a JSON line with its stream position and arrival
 * time. Firehose's transform Lambda writes these lines to S3; the embedded stack's archiver
 * writes the same lines to a folder. `npm run rebuild` reads them back into records for the
 * processor. Lines without `v` are version 1 (every archive before version 2 holds only
 * those, and they still rebuild).
 */
export const ArchiveLine = z.union([ScreenedLine, WholeLine]);
export type ArchiveLine = z.infer<typeof ArchiveLine>;

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * What the archive keeps of one record: the one decision for the Firehose transform and the
 * local archiver, made by the processor's own decodeRecord, so the archive never holds bytes
 * the contract refuses (a `faceEmbedding`, an image) and a rebuild from it counts what the
 * live processor counted. A record accepted whole keeps its exact bytes (version 1).
 */
export function toArchiveLine(record: RawStreamRecord): string {
  const at = {
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    arrivedAt: record.arrivedAt,
  };
  const decoded = decodeRecord(record.data);
  const line: ArchiveLine =
    decoded.refused.length === 0
      ? { ...at, data: base64(record.data) }
      : {
          v: 2,
          ...at,
          sizeBytes: record.data.byteLength,
          kept: decoded.events.map((e) => ({
            subSequenceNumber: e.subSequenceNumber,
            data: base64(e.bytes),
          })),
          refused: decoded.refused.map((r) => ({
            ...r,
            subSequenceNumbers: [...r.subSequenceNumbers],
          })),
        };
  return `${JSON.stringify(line)}\n`;
}

/** Parses one archive line; throws with the line's problem (the archive is ours, so that is a bug). */
export function fromArchiveLine(text: string): StreamRecord {
  const line = ArchiveLine.parse(JSON.parse(text));
  const at = {
    shardId: line.shardId,
    sequenceNumber: line.sequenceNumber,
    partitionKey: line.partitionKey,
    arrivedAt: line.arrivedAt,
  };
  if (!('v' in line)) return { ...at, data: Buffer.from(line.data, 'base64') };
  return {
    ...at,
    data: {
      sizeBytes: line.sizeBytes,
      kept: line.kept.map((k) => ({
        subSequenceNumber: k.subSequenceNumber,
        data: Buffer.from(k.data, 'base64'),
      })),
      refused: line.refused,
    },
  };
}

/** Date path of an archive object: `YYYY/MM/DD` of the arrival (UTC), as Firehose's prefix. */
export const archiveDatePath = (arrivedAt: number) =>
  new Date(arrivedAt).toISOString().slice(0, 10).replaceAll('-', '/');
