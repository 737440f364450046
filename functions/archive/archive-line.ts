import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import { Identifier } from '#contract';
import { decodeRecord, REFUSAL_REASONS, type Refusal } from '#domain/decode-record';
import type { RegistryReader } from '#domain/ports';
import type { RegistryView } from '#domain/registry-types';
import { signatureVerifies } from '#domain/signature-check';
import type { RawStreamRecord, StreamRecord } from '#processor';
import { MAX_INFLATED_BYTES } from '#wire';

const position = {
  shardId: z.string().min(1),
  sequenceNumber: z.string().regex(/^\d+$/),
  partitionKey: z.string(),
  arrivedAt: z.number().int().min(0),
};
const refusal = {
  reason: z.enum(REFUSAL_REASONS),
  detail: z.string(),
  count: z.number().int().min(1),
};

/** Version 1: a record the contract accepts whole, with its exact bytes (base64). */
const WholeLine = z.object({ ...position, data: z.base64() }).strict();

/**
 * Version 3 (there is no released version 2): a record the contract refuses in part or whole. Its variable part (`screened`)
 * is one base64 of gzip of a screened body (see ScreenedHeader), so that the line stays
 * proportional to the record's compressed size (bench:archive measures the ratio) however many
 * user records it holds or repeats.
 */
const ScreenedLine = z
  .object({
    v: z.literal(3),
    ...position,
    sizeBytes: z.number().int().min(0),
    screened: z.base64(),
  })
  .strict();

/** Ascending sub-sequence numbers as gaps: the first one, then each one's distance from the last. */
const gaps = z.array(z.number().int().min(0));

/**
 * A screened body is this header as one line of JSON, a newline, then the bytes of each
 * distinct accepted user record back to back (raw, so gzip compresses them as well as it did
 * the record). It keeps the accepted user records (each distinct byte string once:
 * `recordBytes` their lengths, `keptAt` the kept sub-sequence numbers as gaps, `keptRecord`
 * which distinct record each one is: 0 for the next one not seen before, n for the n-th most
 * recently introduced one, so that all-distinct and repeated records alike make runs that gzip
 * folds), so a replay judges and keys them as the live processor did; and for the refused ones
 * only their positions (as gaps), reason and detail (field paths and the contract's
 * expectations, never values).
 */
const ScreenedHeader = z
  .object({
    recordBytes: z.array(z.number().int().min(0)),
    keptAt: gaps,
    keptRecord: z.array(z.number().int().min(0)),
    refused: z.array(z.object({ ...refusal, at: gaps.min(1) }).strict()).min(1),
    /**
     * A signed record's signer and key, and `verified` if its signature verified under that
     * key when the archive screened it: the rebuild checks the key and trusts that verdict,
     * refusing a screened record without it (the line cannot keep the signed bytes).
     */
    signedBy: z
      .object({ signer: Identifier, keyId: Identifier, verified: z.literal(true).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((h) => h.keptAt.length === h.keptRecord.length, {
    message: 'keptAt and keptRecord list the same user records',
  });
type ScreenedHeader = z.infer<typeof ScreenedHeader>;

// A body holds at most the record's inflated bytes, two short numbers per user record and the
// refusals: twice the record limit is room to spare.
const MAX_SCREENED_BODY_BYTES = 2 * MAX_INFLATED_BYTES;
const NEWLINE = 0x0a;

const toGaps = (xs: readonly number[]) => xs.map((x, i) => (i === 0 ? x : x - (xs[i - 1] ?? 0)));
const fromGaps = (xs: readonly number[]) => {
  let at = 0;
  return xs.map((gap, i) => {
    at = i === 0 ? gap : at + gap;
    return at;
  });
};

/** No registry at hand: no screened signed record is marked verified (a rebuild refuses it). */
export const NO_SIGNERS: RegistryView = { device: () => undefined, store: () => undefined };

/**
 * Runs `screen` (the screening of a batch of records against the signers' registry entries)
 * so that the registry is read only when a screened signed record has a signature to verify:
 * a first pass notes the signers it is asked about (an honest batch, accepted whole, asks about
 * none); only then are their entries loaded and the batch screened again with them.
 */
export async function screenVerifying<T>(
  screen: (signers: RegistryView) => T,
  load: (signers: readonly string[]) => Promise<RegistryView>,
): Promise<T> {
  const asked = new Set<string>();
  const first = screen({
    device: (id) => {
      asked.add(id);
      return undefined;
    },
    store: () => undefined,
  });
  return asked.size === 0 ? first : screen(await load([...asked]));
}

/** The registry entries of `signers`, as screenRecord reads them. */
export async function signersIn(
  registry: RegistryReader,
  signers: readonly string[],
): Promise<RegistryView> {
  const found = await registry.load(signers, []);
  return { device: (id) => found.devices.get(id), store: () => undefined };
}

/**
 * One raw Kinesis record in the archive, as a JSON line with its stream position and arrival
 * time. Firehose's transform Lambda writes these lines to S3; the embedded stack's archiver
 * writes the same lines to a folder. `npm run rebuild` reads them back into records for the
 * processor. Lines without `v` are version 1 (every archive before the screening holds only
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
 * live processor counted. A record accepted whole keeps its exact bytes (version 1); any other
 * record becomes a version-3 line, whose size follows the record's compressed size, not its
 * inflated one: user records with identical bytes (decodeRecord hands them over as one `bytes`
 * object) are kept once, and the rest is gzipped.
 */
export function toArchiveLine(record: RawStreamRecord, signers: RegistryView = NO_SIGNERS): string {
  return screenRecord(record, signers).line;
}

/** An archive line, and whether it keeps any event (a stub keeps only refusals). */
export interface ScreenedRecord {
  readonly line: string;
  readonly keepsEvents: boolean;
}

/**
 * `toArchiveLine`, also saying whether the line keeps any accepted event. `signers` holds the
 * registry entries of the records' signers: a screened line drops the bytes a signature covers,
 * so the signature is verified here, and the line says so, or a rebuild refuses it.
 */
export function screenRecord(
  record: RawStreamRecord,
  signers: RegistryView = NO_SIGNERS,
): ScreenedRecord {
  const at = {
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    arrivedAt: record.arrivedAt,
  };
  const decoded = decodeRecord(record.data);
  if (decoded.refused.length === 0) {
    return {
      line: `${JSON.stringify({ ...at, data: base64(record.data) } satisfies ArchiveLine)}\n`,
      keepsEvents: true,
    };
  }
  const index = new Map<Uint8Array, number>();
  const records: Uint8Array[] = [];
  const keptRecord = decoded.events.map((e) => {
    const i = index.get(e.bytes);
    if (i !== undefined) return records.length - i;
    index.set(e.bytes, records.push(e.bytes) - 1);
    return 0;
  });
  const header: ScreenedHeader = {
    recordBytes: records.map((r) => r.byteLength),
    keptAt: toGaps(decoded.events.map((e) => e.subSequenceNumber)),
    keptRecord,
    refused: decoded.refused.map((r) => ({
      reason: r.reason,
      detail: r.detail,
      at: toGaps(r.subSequenceNumbers),
      count: r.count,
    })),
    ...(decoded.envelope !== undefined && {
      signedBy: {
        signer: decoded.envelope.signer,
        keyId: decoded.envelope.keyId,
        ...(signatureVerifies(decoded.envelope, signers) && { verified: true as const }),
      },
    }),
  };
  // JSON.stringify never writes a raw newline, so the first one ends the header.
  const body = Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...records]);
  const line: ArchiveLine = {
    v: 3,
    ...at,
    sizeBytes: record.data.byteLength,
    screened: gzipSync(body).toString('base64'),
  };
  return { line: `${JSON.stringify(line)}\n`, keepsEvents: decoded.events.length > 0 };
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
  const body = gunzipSync(Buffer.from(line.screened, 'base64'), {
    maxOutputLength: MAX_SCREENED_BODY_BYTES,
  });
  const end = body.indexOf(NEWLINE);
  if (end < 0) throw new Error('archive line: a screened body without its header');
  const header = ScreenedHeader.parse(JSON.parse(body.subarray(0, end).toString('utf8')));
  // One buffer per distinct user record, shared by its repeats: a rebuild holds what the line held.
  const distinct: Buffer[] = [];
  let offset = end + 1;
  for (const n of header.recordBytes) {
    distinct.push(body.subarray(offset, offset + n));
    offset += n;
  }
  if (offset !== body.byteLength) {
    throw new Error('archive line: the screened body does not hold the records its header lists');
  }
  let introduced = 0;
  const kept = fromGaps(header.keptAt).map((subSequenceNumber, i) => {
    const back = header.keptRecord[i] ?? 0;
    const data = back === 0 ? distinct[introduced++] : distinct[introduced - back];
    if (data === undefined) throw new Error('archive line: a kept user record names no record');
    return { subSequenceNumber, data };
  });
  return {
    ...at,
    data: {
      sizeBytes: line.sizeBytes,
      kept,
      refused: header.refused.map(
        (r): Refusal => ({
          reason: r.reason,
          detail: r.detail,
          subSequenceNumbers: fromGaps(r.at),
          count: r.count,
        }),
      ),
      ...(header.signedBy !== undefined && { signedBy: header.signedBy }),
    },
  };
}

/** Date path of an archive object: `YYYY/MM/DD` of the arrival (UTC), as Firehose's prefix. */
export const archiveDatePath = (arrivedAt: number) =>
  new Date(arrivedAt).toISOString().slice(0, 10).replaceAll('-', '/');
