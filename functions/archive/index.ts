/**
 * The raw archive's face (`#archive`): its line format, reading an archive folder back, and
 * rebuilding aggregates from it. The Firehose transform's Lambda entry is
 * `firehose-transform.ts`.
 */
export {
  archiveDatePath,
  fromArchiveLine,
  NO_SIGNERS,
  screenVerifying,
  signersIn,
  toArchiveLine,
} from './archive-line.js';
export { readArchive } from './read-archive.js';
export { type RebuildReport, rebuildFromRecords } from './rebuild.js';
