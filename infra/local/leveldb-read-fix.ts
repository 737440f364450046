import { createRequire } from 'node:module';

/**
 * Makes dynalite's point reads return the newest value of a key.
 *
 * dynalite keeps items in LevelDB through `classic-level`, whose bundled LevelDB is 1.20. That
 * version has google/leveldb#320 (fixed in 1.21 by google/leveldb#339): while a snapshot is
 * open, a compaction can cut one key's versions into two files of a level and push the newer
 * one a level down. `Get` searches level by level and stops at the first hit, so it returns the
 * *older* value until a later compaction merges the two. `classic-level` opens an implicit
 * snapshot for every read, so under dynalite's read-heavy load this happens: the soak measured
 * reads returning an item several versions older than its last acknowledged write, and
 * dynalite's conditional writes, which read the item before checking the condition, then
 * accepted writes that DynamoDB would refuse.
 *
 * Iterators are not affected: they merge every level and order a key's versions by sequence
 * number. So a point read here is a one-entry range read. Queries and scans already iterate.
 * Reads with an explicit snapshot keep the original path. It costs the emulator read
 * throughput (`npm run bench:emulator`: a point read about 5x slower, a BatchGetItem of 100
 * items about 0.55x the rate); a fault-free answer is worth more to a test bed than speed.
 */
export function installLevelDbReadFix(): void {
  const proto = dynalitesClassicLevel().prototype as Record<string | symbol, unknown>;
  if (proto[PATCHED] === true) return;
  const originalGet = proto.get as (this: LevelLike, key: unknown, options?: GetOptions) => unknown;
  proto.get = async function get(this: LevelLike, key: unknown, options?: GetOptions) {
    if (options?.snapshot !== undefined) return originalGet.call(this, key, options);
    const range: Record<string, unknown> = { gte: key, lte: key, limit: 1 };
    if (options?.keyEncoding !== undefined) range.keyEncoding = options.keyEncoding;
    if (options?.valueEncoding !== undefined) range.valueEncoding = options.valueEncoding;
    const [value] = await this.values(range).all();
    return value;
  };
  proto[PATCHED] = true;
}

/** The `ClassicLevel` class that dynalite opens its items with (its own `classic-level`). */
// biome-ignore lint/suspicious/noExplicitAny: a CommonJS class without types, used as such
export function dynalitesClassicLevel(): any {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  return fromDynalite('classic-level').ClassicLevel;
}

const PATCHED = Symbol.for('store-floor-impact.leveldb-read-fix');

interface GetOptions {
  readonly snapshot?: unknown;
  readonly keyEncoding?: unknown;
  readonly valueEncoding?: unknown;
}

interface LevelLike {
  values(options: Record<string, unknown>): { all(): Promise<unknown[]> };
}
