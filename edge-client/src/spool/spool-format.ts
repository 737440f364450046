import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolFormatError } from '../errors/spool-format-error.js';
import { SpoolStateError } from '../errors/spool-state-error.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * The spool's on-disk format: the layout of the whole folder (segment names, the frame in
 * frame.ts, cursor.json, seq.json). 1 is the layout of every release so far, including those
 * that wrote no marker. A release that changes any of it raises this number, reads every
 * older format (migrating if it must), and is refused by the releases before it.
 */
export const SPOOL_FORMAT = 1;

/** The marker file in the spool folder: the format as a decimal number and a newline. */
export const FORMAT_FILE = 'FORMAT';

/**
 * Why a marker file and not a version byte in each segment (PostgreSQL's PG_VERSION, Kafka's
 * meta.properties do the same): the version must cover the folder, not only the segments (a
 * new cursor or seq layout is a format change too); it is read before anything is opened,
 * locked or repaired, so a daemon that cannot read the folder leaves it exactly as it was;
 * and the frames stay as they were, so a spool of the releases before the marker is read as
 * it is, with no migration. (The frame magic's second byte, 01, is not a version: a new frame
 * layout is a new format here.)
 */
export interface FoundSpoolFormat {
  readonly format: number;
  /**
   * `file`: FORMAT says so. `none`: a folder without the marker (a spool of a release before
   * it, or an empty folder): format 1. `new`: no folder yet; it will be created as SPOOL_FORMAT.
   */
  readonly marker: 'file' | 'none' | 'new';
}

/** Longest FORMAT file read: a number and a newline; anything longer is not a marker. */
const MAX_MARKER_BYTES = 32;

/** The format of the spool in `dir`, read without changing anything in it. */
export async function readSpoolFormat(dir: string): Promise<FoundSpoolFormat> {
  const file = join(dir, FORMAT_FILE);
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_MARKER_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.byteLength, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const folder = await stat(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    return { format: folder === undefined ? SPOOL_FORMAT : 1, marker: folder ? 'none' : 'new' };
  }
  const format = /^(\d{1,9})\n?$/.exec(text)?.[1];
  if (format === undefined || Number(format) < 1)
    throw new SpoolStateError(
      `spool ${dir}: ${FORMAT_FILE} holds ${JSON.stringify(text.slice(0, MAX_MARKER_BYTES))}, not a format number; the spool refuses to guess its layout: restore the file (this release writes "${SPOOL_FORMAT}")`,
    );
  return { format: Number(format), marker: 'file' };
}

/**
 * The spool's format, if this code reads it; a SpoolFormatError (naming the format found, the
 * formats supported and the fix) if a newer release wrote it.
 */
export async function readableSpoolFormat(dir: string): Promise<FoundSpoolFormat> {
  const found = await readSpoolFormat(dir);
  if (found.format > SPOOL_FORMAT) throw new SpoolFormatError(dir, found.format, SPOOL_FORMAT);
  return found;
}

/** Stamps the folder with SPOOL_FORMAT: atomically, and durably (the folder fsynced too). */
export function markSpoolFormat(dir: string): Promise<void> {
  return writeFileAtomic(join(dir, FORMAT_FILE), `${SPOOL_FORMAT}\n`, { syncDir: true });
}
