import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The Node flags the daemon runs with: those of package.json's `edge-client` script (every
 * flag between `node` and `--import`: the heap limits and the compiler tiers), so the unit
 * and `npm run edge-client` cannot drift apart.
 */
export function daemonNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts['edge-client'] ?? '').split(/\s+/);
  const end = words.indexOf('--import');
  const flags = words.slice(words.indexOf('node') + 1, end);
  if (
    words[0] !== 'node' ||
    end < 0 ||
    flags.length === 0 ||
    flags.some((f) => !/^--[a-z][a-z0-9-]*(=\d+)?$/.test(f))
  )
    throw new Error('package.json "edge-client" script: expected node <flags> --import tsx ...');
  return flags;
}
