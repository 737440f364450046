import { createHash } from 'node:crypto';
import {
  dynalitesClassicLevel,
  installLevelDbReadFix,
} from '../../infra/local/leveldb-read-fix.js';

/**
 * A check the soak runs inside the emulators' process: every LevelDB read of a DynamoDB item
 * must return what the last completed write of that key stored, whenever no write of the key
 * was in flight around the read. It found dynalite serving items several versions older than
 * their last write (google/leveldb#320; see infra/local/leveldb-read-fix.ts), which no test
 * outside the emulator could tell from a processor defect.
 *
 * Per key it keeps a digest of the last value written, not the value. It wraps the public
 * `get` (what dynalite calls) over the read fix, which it installs first, and the private
 * writes of `classic-level`. Install it before the emulators start.
 */
export function installEmulatorReadCheck(isChecked: (location: string) => boolean) {
  installLevelDbReadFix();
  const proto = dynalitesClassicLevel().prototype as Record<
    string,
    (...args: never[]) => Promise<unknown>
  >;
  const counts = { checked: 0, stale: 0, firstStale: undefined as string | undefined };
  const keys = new Map<string, { digest?: string; generation: number; inFlight: number }>();
  const stateOf = (key: unknown) => {
    const k = text(key);
    let state = keys.get(k);
    if (state === undefined) {
      state = { generation: 0, inFlight: 0 };
      keys.set(k, state);
    }
    return state;
  };

  type Db = { location: string };
  type Op = { type: string; key: unknown; value?: unknown };
  const wrapWrite = <A extends unknown[]>(
    name: string,
    written: (...args: A) => { key: unknown; value?: unknown }[],
  ) => {
    const original = proto[name] as unknown as (this: Db, ...args: A) => Promise<unknown>;
    proto[name] = async function (this: Db, ...args: A) {
      if (!isChecked(this.location)) return original.apply(this, args);
      const ops = written(...args).map((op) => ({ ...op, state: stateOf(op.key) }));
      for (const op of ops) op.state.inFlight++;
      try {
        const result = await original.apply(this, args);
        for (const op of ops) {
          op.state.digest = op.value === undefined ? undefined : digest(text(op.value));
          op.state.generation++;
        }
        return result;
      } finally {
        for (const op of ops) op.state.inFlight--;
      }
    } as never;
  };
  wrapWrite('_put', (key: unknown, value: unknown) => [{ key, value }]);
  wrapWrite('_del', (key: unknown) => [{ key }]);
  wrapWrite('_batch', (ops: Op[]) => ops.map((o) => (o.type === 'del' ? { key: o.key } : o)));

  const get = proto.get as unknown as (
    this: Db,
    key: unknown,
    options?: unknown,
  ) => Promise<unknown>;
  proto.get = async function (this: Db, key: unknown, options?: unknown) {
    if (!isChecked(this.location)) return get.call(this, key, options);
    // A key never written here (e.g. a missing item) has nothing to check against.
    const state = keys.get(text(key));
    const before = state === undefined ? undefined : { ...state };
    const value = await get.call(this, key, options);
    const judged =
      state !== undefined &&
      before?.inFlight === 0 &&
      state.inFlight === 0 &&
      state.generation === before.generation;
    if (!judged) return value;
    counts.checked++;
    // The database decodes JSON; encoded again, it is byte for byte what was written.
    const got = value === undefined ? undefined : digest(JSON.stringify(value));
    if (got !== state.digest) {
      counts.stale++;
      counts.firstStale ??= `${new Date().toISOString()} ${text(key).slice(0, 120)}`;
    }
    return value;
  } as never;
  return counts;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString();
}

function digest(value: string): string {
  return createHash('sha1').update(value).digest('base64');
}
