import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StreamRecord } from '#processor';
import { fromArchiveLine } from './archive-line.js';

/**
 * Every archived record under `dir`, oldest day first, in each file's order: the embedded
 * stack's `.ndjson` files, or Firehose's gzipped objects synced down from the archive bucket.
 */
export function* readArchive(dir: string): Generator<StreamRecord> {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((entry) => {
        if (entry.isDirectory()) return walk(join(folder, entry.name));
        return /\.(ndjson|gz)$/.test(entry.name) ? [join(folder, entry.name)] : [];
      });
  for (const file of walk(join(dir, 'raw'))) {
    const bytes = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    for (const line of text.split('\n')) if (line !== '') yield fromArchiveLine(line);
  }
}
