import { open, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file atomically: a temporary file beside it, fsynced, renamed over it. With
 * `syncDir` the folder is fsynced too, so the rename itself survives a power cut (a file that
 * must exist once written, such as the spool's FORMAT, needs it; one rewritten often may
 * leave it to the next write).
 */
export async function writeFileAtomic(
  file: string,
  text: string,
  options: { readonly syncDir?: boolean } = {},
): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  const handle = await open(`${file}.tmp`, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${file}.tmp`, file);
  if (options.syncDir !== true) return;
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
