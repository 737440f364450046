/**
 * The raw archive's face (`#archive`): its line format, reading an archive folder back,
 * rebuilding aggregates from it, and replaying dead letters (from the stream or the archive).
 * The Firehose transform's Lambda entry is `firehose-transform.ts`.
 */
export {
  archiveDatePath,
  fromArchiveLine,
  NO_SIGNERS,
  screenVerifying,
  signersIn,
  toArchiveLine,
} from './archive-line.js';
export { readArchive, readArchiveDays } from './read-archive.js';
export { type RebuildReport, rebuildFromRecords } from './rebuild.js';
export {
  archiveSource,
  type LetterOutcome,
  type LetterReader,
  type LetterResult,
  type RecordSource,
  type ReplayReport,
  replayDeadLetters,
  selectReplayLetters,
  streamSource,
} from './replay.js';
