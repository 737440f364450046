import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StreamRecord } from '#processor';
import { fromArchiveLine } from './archive-line.js';

/**
 * Every archived record under `dir`, oldest day first, in each file's order: the embedded
 * stack's `.ndjson` files, or Firehose's gzipped objects synced down from the archive bucket.
 */
export function* readArchive(dir: string): Generator<StreamRecord> {
  yield* readFiles(walk(join(dir, 'raw')));
}

/**
 * The archived records of some UTC dates (`YYYY-MM-DD`): only the folders of those days
 * (`raw/YYYY/MM/DD/`) are read; a day with no folder holds none.
 */
export function* readArchiveDays(dir: string, dates: readonly string[]): Generator<StreamRecord> {
  for (const date of dates) {
    const folder = join(dir, 'raw', ...date.split('-'));
    if (existsSync(folder)) yield* readFiles(walk(folder));
  }
}

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      if (entry.isDirectory()) return walk(join(folder, entry.name));
      return /\.(ndjson|gz)$/.test(entry.name) ? [join(folder, entry.name)] : [];
    });
}

function* readFiles(files: readonly string[]): Generator<StreamRecord> {
  for (const file of files) {
    const bytes = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') yield fromArchiveLine(line);
  }
}
