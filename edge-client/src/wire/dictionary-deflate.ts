import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { boundedInflate } from './bounded-inflate.js';
import { CURRENT_DICTIONARY_ID, DICTIONARIES } from './dictionaries.js';
import { MAX_INFLATED_BYTES } from './limits.js';

/**
 * The edge client's compressed record format: a KPL aggregate compressed with raw DEFLATE
 * (RFC 1951) primed with a preset dictionary (dictionaries.ts), so that a record of a few
 * events does not pay for its first sight of every field name.
 *
 * Layout (docs/contract.md, "Record bodies"):
 *
 * | bytes | field |
 * |---|---|
 * | 3 | magic `F3 44 43` (`\xF3DC`: no gzip, KPL, envelope or JSON record starts so) |
 * | 1 | dictionary id (1 to 255; dictionaries.ts) |
 * | rest | raw DEFLATE of a KPL aggregate, with that dictionary preset |
 *
 * Raw DEFLATE carries no checksum of its own: the KPL aggregate's MD5 is what proves the
 * inflated bytes whole (and the signed envelope, when there is one, the record).
 */
export const DICTIONARY_DEFLATE_MAGIC = Buffer.from([0xf3, 0x44, 0x43]);
/** Bytes a dictionary-deflate record carries before its DEFLATE stream: magic and id. */
export const DICTIONARY_DEFLATE_HEADER_BYTES = DICTIONARY_DEFLATE_MAGIC.byteLength + 1;

/** A dictionary-deflate record naming a dictionary this decoder does not hold. */
export class UnknownDictionaryError extends Error {
  constructor(readonly dictionaryId: number) {
    super(
      `dictionary-deflate record names dictionary ${dictionaryId}; this decoder knows ${[...DICTIONARIES.keys()].join(', ')}`,
    );
    this.name = 'UnknownDictionaryError';
  }
}

/** Whether a record's data starts with the dictionary-deflate magic (and has an id byte). */
export const isDictionaryDeflate = (data: Uint8Array): boolean =>
  data.byteLength > DICTIONARY_DEFLATE_HEADER_BYTES &&
  data[0] === 0xf3 &&
  data[1] === 0x44 &&
  data[2] === 0x43;

/** Compresses an aggregate with dictionary `dictionaryId` (the current one by default). */
export function deflateWithDictionary(
  data: Uint8Array,
  dictionaryId = CURRENT_DICTIONARY_ID,
): Buffer {
  const dictionary = DICTIONARIES.get(dictionaryId);
  if (dictionary === undefined) throw new UnknownDictionaryError(dictionaryId);
  return Buffer.concat([
    DICTIONARY_DEFLATE_MAGIC,
    Buffer.of(dictionaryId),
    deflateRawSync(data, { level: 6, dictionary }),
  ]);
}

/**
 * Inflates a dictionary-deflate record, never past `maxBytes` (the Kinesis record limit by
 * default): one that would throws InflateLimitError, one naming an unknown dictionary
 * UnknownDictionaryError, a corrupt stream zlib's error.
 */
export function inflateWithDictionary(data: Uint8Array, maxBytes = MAX_INFLATED_BYTES): Buffer {
  const id = data[DICTIONARY_DEFLATE_MAGIC.byteLength] ?? 0;
  const dictionary = DICTIONARIES.get(id);
  if (dictionary === undefined) throw new UnknownDictionaryError(id);
  const stream = data.subarray(DICTIONARY_DEFLATE_HEADER_BYTES);
  return boundedInflate(
    (maxOutputLength) => inflateRawSync(stream, { dictionary, maxOutputLength }),
    maxBytes,
  );
}
