export { InflateLimitError } from './bounded-inflate.js';
export { CURRENT_DICTIONARY_ID, DICTIONARIES, DICTIONARY_1 } from './dictionaries.js';
export {
  DICTIONARY_DEFLATE_HEADER_BYTES,
  DICTIONARY_DEFLATE_MAGIC,
  deflateWithDictionary,
  inflateWithDictionary,
  isDictionaryDeflate,
  UnknownDictionaryError,
} from './dictionary-deflate.js';
export { gzipRecord, inflateRecord, isGzip } from './gzip.js';
export {
  AGGREGATE_OVERHEAD_BYTES,
  AggregateFormatError,
  AggregateLimitError,
  aggregatedSizeOf,
  type DecodeAggregateOptions,
  decodeAggregate,
  encodeAggregate,
  isAggregated,
  KPL_MAGIC,
  type UserRecord,
} from './kpl-format.js';
export {
  KINESIS_LIMITS,
  MAX_AGGREGATE_BYTES,
  MAX_INFLATED_BYTES,
  MAX_USER_RECORDS,
  SMALLEST_EVENT_BYTES,
} from './limits.js';
export { type OpenedRecord, openRecord } from './open-record.js';
export {
  ED25519,
  ED25519_PKCS8_PREFIX,
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  EnvelopeFormatError,
  ed25519FromSeed,
  envelopeBytesFor,
  isSignedEnvelope,
  MAX_ENVELOPE_BYTES,
  parseEnvelope,
  privateKeyFromPem,
  publicKeyFromRaw,
  type RecordSigner,
  rawPublicKey,
  SIGNING_CONTEXT,
  type SignedEnvelope,
  signRecord,
  verifyEnvelope,
} from './signed-envelope.js';
