import { createHash } from 'node:crypto';

/**
 * The Kinesis Producer Library's aggregated-record format, so that one Kinesis record carries
 * many events and any KPL-aware consumer (the KCL, the Lambda deaggregation libraries, our
 * processor) can split it again:
 *
 *   magic 0xF3 0x89 0x9A 0xC2 | protobuf AggregatedRecord | MD5(protobuf), 16 bytes
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1;
 *                              repeated string explicit_hash_key_table = 2;
 *                              repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1;
 *                    optional uint64 explicit_hash_key_index = 2;
 *                    required bytes data = 3; repeated Tag tags = 4; }
 *
 * The protobuf subset is encoded by hand: it is three message fields and varints, and a
 * dependency would cost more than it saves.
 */
export const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const MD5_BYTES = 16;
/** Bytes an aggregate carries besides its records: the magic and the MD5. */
export const AGGREGATE_OVERHEAD_BYTES = KPL_MAGIC.byteLength + MD5_BYTES;

export interface UserRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly explicitHashKey?: string;
}

/** A record that starts with the KPL magic but cannot be decoded (torn, tampered, not KPL). */
export class AggregateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AggregateFormatError';
  }
}

/**
 * A well-formed aggregate with more entries (user records, or partition or hash keys) than the
 * caller allows: refused before any of them is decoded, with how many it holds.
 */
export class AggregateLimitError extends Error {
  constructor(
    readonly entries: number,
    readonly limit: number,
  ) {
    super(`holds ${entries} entries, more than the ${limit} allowed`);
    this.name = 'AggregateLimitError';
  }
}

export interface DecodeAggregateOptions {
  /**
   * Most user records (and most entries of each key table) to decode; an aggregate with more
   * throws AggregateLimitError after one pass that allocates nothing. @default unlimited
   */
  readonly maxRecords?: number;
}

export function isAggregated(data: Uint8Array): boolean {
  return (
    data.byteLength >= KPL_MAGIC.byteLength + MD5_BYTES &&
    Buffer.from(data.buffer, data.byteOffset, 4).equals(KPL_MAGIC)
  );
}

// ---- protobuf writing ----------------------------------------------------------------------

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

/** Writes `value` as a varint at `at` of `buf`; returns the offset after it. */
function writeVarint(buf: Buffer, at: number, value: number): number {
  let v = value;
  let pos = at;
  while (v >= 0x80) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** Bytes of a length-delimited field of `length` bytes: its tag (one byte here), length, body. */
const fieldSize = (length: number) => 1 + varintSize(length) + length;

/** Writes a length-delimited field (`tag` one byte) at `at`; returns the offset after it. */
function writeField(buf: Buffer, at: number, tag: number, bytes: Uint8Array): number {
  const pos = writeVarint(buf, writeVarint(buf, at, tag), bytes.byteLength);
  buf.set(bytes, pos);
  return pos + bytes.byteLength;
}

/** Bytes of a Record message's body (its partition and hash key indexes and its data). */
const recordBodySize = (pkIndex: number, ehkIndex: number | undefined, data: Uint8Array) =>
  1 +
  varintSize(pkIndex) +
  (ehkIndex === undefined ? 0 : 1 + varintSize(ehkIndex)) +
  fieldSize(data.byteLength);

/** Bytes one user record adds to an aggregate (record message, its tag and length, table entry). */
export function aggregatedSizeOf(record: UserRecord, newPartitionKey: boolean): number {
  const body = 2 + varintSize(record.data.byteLength) + record.data.byteLength + 4;
  const pkEntry = newPartitionKey
    ? 1 +
      varintSize(Buffer.byteLength(record.partitionKey)) +
      Buffer.byteLength(record.partitionKey)
    : 0;
  return 1 + varintSize(body) + body + pkEntry;
}

/**
 * Encodes user records into one aggregated record's data: sized first, then written into one
 * buffer (no per-field allocation: an aggregate of a hundred events is one allocation, not
 * hundreds).
 */
export function encodeAggregate(records: readonly UserRecord[]): Buffer {
  const pkTable: Buffer[] = [];
  const pkIndex = new Map<string, number>();
  const ehkTable: Buffer[] = [];
  const ehkIndex = new Map<string, number>();
  const indexes: { pk: number; ehk: number | undefined; size: number }[] = [];
  let bodyBytes = 0;
  for (const r of records) {
    let pk = pkIndex.get(r.partitionKey);
    if (pk === undefined) {
      const key = Buffer.from(r.partitionKey);
      pk = pkTable.push(key) - 1;
      pkIndex.set(r.partitionKey, pk);
      bodyBytes += fieldSize(key.byteLength);
    }
    let ehk: number | undefined;
    if (r.explicitHashKey !== undefined) {
      ehk = ehkIndex.get(r.explicitHashKey);
      if (ehk === undefined) {
        const key = Buffer.from(r.explicitHashKey);
        ehk = ehkTable.push(key) - 1;
        ehkIndex.set(r.explicitHashKey, ehk);
        bodyBytes += fieldSize(key.byteLength);
      }
    }
    const size = recordBodySize(pk, ehk, r.data);
    indexes.push({ pk, ehk, size });
    bodyBytes += fieldSize(size);
  }
  const out = Buffer.allocUnsafe(KPL_MAGIC.byteLength + bodyBytes + MD5_BYTES);
  KPL_MAGIC.copy(out, 0);
  let at = KPL_MAGIC.byteLength;
  for (const key of pkTable) at = writeField(out, at, (1 << 3) | 2, key);
  for (const key of ehkTable) at = writeField(out, at, (2 << 3) | 2, key);
  records.forEach((r, i) => {
    const { pk, ehk, size } = indexes[i] as (typeof indexes)[number];
    at = writeVarint(out, writeVarint(out, at, (3 << 3) | 2), size);
    at = writeVarint(out, writeVarint(out, at, (1 << 3) | 0), pk);
    if (ehk !== undefined) at = writeVarint(out, writeVarint(out, at, (2 << 3) | 0), ehk);
    at = writeField(out, at, (3 << 3) | 2, r.data);
  });
  const body = out.subarray(KPL_MAGIC.byteLength, at);
  createHash('md5').update(body).digest().copy(out, at);
  return out;
}

// ---- protobuf reading ----------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.byteLength;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.byteLength) throw new AggregateFormatError('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) throw new AggregateFormatError('varint out of range');
        return result;
      }
      scale *= 128;
    }
    throw new AggregateFormatError('varint too long');
  }

  bytes(): Buffer {
    const length = this.varint();
    if (this.pos + length > this.buf.byteLength) throw new AggregateFormatError('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 2) this.advance(this.varint());
    else if (wireType === 1) this.advance(8);
    else if (wireType === 5) this.advance(4);
    else throw new AggregateFormatError(`unsupported wire type ${wireType}`);
  }

  private advance(n: number) {
    if (this.pos + n > this.buf.byteLength) throw new AggregateFormatError('truncated field');
    this.pos += n;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits an aggregated record into its user records, in order. Throws AggregateFormatError on
 * a bad checksum or malformed protobuf: a corrupted aggregate is never half-read. With
 * `maxRecords`, an aggregate holding more entries throws AggregateLimitError before a single
 * user record is decoded, so the work is one pass over the bytes, whatever they hold.
 */
export function decodeAggregate(
  data: Uint8Array,
  options: DecodeAggregateOptions = {},
): UserRecord[] {
  if (!isAggregated(data)) throw new AggregateFormatError('not a KPL aggregated record');
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const body = buf.subarray(KPL_MAGIC.byteLength, buf.byteLength - MD5_BYTES);
  const digest = buf.subarray(buf.byteLength - MD5_BYTES);
  if (!createHash('md5').update(body).digest().equals(digest)) {
    throw new AggregateFormatError('MD5 checksum mismatch');
  }
  if (options.maxRecords !== undefined) {
    const entries = countEntries(body);
    if (entries > options.maxRecords) throw new AggregateLimitError(entries, options.maxRecords);
  }
  const pkTable: string[] = [];
  const ehkTable: string[] = [];
  const raw: { pk: number; ehk?: number; data: Buffer }[] = [];
  const reader = new Reader(body);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 2) pkTable.push(utf8.decode(reader.bytes()));
    else if (field === 2 && wire === 2) ehkTable.push(utf8.decode(reader.bytes()));
    else if (field === 3 && wire === 2) raw.push(decodeRecord(reader.bytes()));
    else reader.skip(wire);
  }
  return raw.map((r) => {
    const partitionKey = pkTable[r.pk];
    if (partitionKey === undefined)
      throw new AggregateFormatError('partition key index out of range');
    const explicitHashKey = r.ehk === undefined ? undefined : ehkTable[r.ehk];
    if (r.ehk !== undefined && explicitHashKey === undefined)
      throw new AggregateFormatError('explicit hash key index out of range');
    return {
      partitionKey,
      data: r.data,
      ...(explicitHashKey !== undefined && { explicitHashKey }),
    };
  });
}

/**
 * The most entries of one kind (user records, partition keys, hash keys) in an aggregate body:
 * a pass that reads tags and lengths and jumps over the rest, allocating nothing.
 */
function countEntries(body: Buffer): number {
  const counts = [0, 0, 0, 0];
  const reader = new Reader(body);
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 2 && field >= 1 && field <= 3) counts[field] = (counts[field] as number) + 1;
    reader.skip(wire);
  }
  return Math.max(...counts);
}

function decodeRecord(bytes: Buffer): { pk: number; ehk?: number; data: Buffer } {
  const reader = new Reader(bytes);
  let pk: number | undefined;
  let ehk: number | undefined;
  let data: Buffer | undefined;
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) pk = reader.varint();
    else if (field === 2 && wire === 0) ehk = reader.varint();
    else if (field === 3 && wire === 2) data = reader.bytes();
    else reader.skip(wire);
  }
  if (pk === undefined || data === undefined)
    throw new AggregateFormatError('record without partition key index or data');
  return { pk, data, ...(ehk !== undefined && { ehk }) };
}
