import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynalitesClassicLevel,
  installLevelDbReadFix,
} from '../../infra/local/leveldb-read-fix.js';

// The very classic-level that dynalite opens its items with.
const ClassicLevel = dynalitesClassicLevel();

interface Db {
  open(): Promise<void>;
  close(): Promise<void>;
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  get(key: string, options?: Record<string, unknown>): Promise<unknown>;
  values(options: Record<string, unknown>): { all(): Promise<unknown[]> };
  snapshot(): { close(): Promise<void> };
}

let dir = '';
let db: Db;

beforeAll(async () => {
  installLevelDbReadFix();
  dir = mkdtempSync(join(tmpdir(), 'sfi-level-'));
  db = new ClassicLevel(dir, { valueEncoding: 'json' }) as Db;
  await db.open();
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Local emulators: LevelDB point reads as one-entry range reads', () => {
  it('reads through an iterator, which orders every version of a key by sequence number', async () => {
    const seen: unknown[] = [];
    const values = db.values.bind(db);
    db.values = (options) => {
      seen.push(options);
      return values(options);
    };
    try {
      await db.put('item~a', { version: 1 });
      expect(await db.get('item~a')).toEqual({ version: 1 });
    } finally {
      // Back to the prototype's method.
      delete (db as Partial<Db>).values;
    }
    expect(seen).toEqual([{ gte: 'item~a', lte: 'item~a', limit: 1 }]);
  });

  it('returns what the original get returns: the last write, nothing for a missing or deleted key, neighbours untouched', async () => {
    // Keys that share prefixes, so a range read that leaked would pick up a neighbour.
    const keys = ['k', 'k~', 'k~1', 'k~10', 'k~2', 'l'];
    const model = new Map<string, unknown>();
    let state = 7;
    const random = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    for (let i = 0; i < 2_000; i++) {
      const key = keys[Math.floor(random() * keys.length)] as string;
      if (random() < 0.15) {
        await db.del(key);
        model.delete(key);
      } else {
        const value = { version: i, pad: 'x'.repeat(Math.floor(random() * 5_000)) };
        await db.put(key, value);
        model.set(key, value);
      }
      const probe = keys[Math.floor(random() * keys.length)] as string;
      expect(await db.get(probe)).toEqual(model.get(probe));
    }
    expect(await db.get('absent')).toBeUndefined();
  });

  it('honours a per-read value encoding and keeps explicit snapshots on the original path', async () => {
    await db.put('item~b', { version: 2 });
    expect(await db.get('item~b', { valueEncoding: 'utf8' })).toBe('{"version":2}');

    const snapshot = db.snapshot();
    await db.put('item~b', { version: 3 });
    expect(await db.get('item~b', { snapshot })).toEqual({ version: 2 });
    expect(await db.get('item~b')).toEqual({ version: 3 });
    await snapshot.close();
  });
});
