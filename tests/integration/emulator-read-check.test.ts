import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dynalitesClassicLevel,
  installLevelDbReadFix,
} from '../../infra/local/leveldb-read-fix.js';
import { installEmulatorReadCheck } from '../faults/emulator-read-check.js';

const ClassicLevel = dynalitesClassicLevel();
const dir = mkdtempSync(join(tmpdir(), 'sfi-read-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Soak: the emulator's read check", () => {
  it('counts a read that returns an older value than the last write, and only that', async () => {
    // Prepare: a get that serves the first value ever written to `stale~` keys, as
    // google/leveldb#320 can, between the read fix and the check (which finds the fix in place).
    installLevelDbReadFix();
    const first = new Map<string, unknown>();
    const { get, put } = ClassicLevel.prototype;
    ClassicLevel.prototype.put = async function (key: string, value: unknown, options?: unknown) {
      if (!first.has(key)) first.set(key, value);
      return put.call(this, key, value, options);
    };
    ClassicLevel.prototype.get = async function (key: string, options?: unknown) {
      return key.startsWith('stale~') ? first.get(key) : get.call(this, key, options);
    };
    const counts = installEmulatorReadCheck((location) => location === dir);
    const db = new ClassicLevel(dir, { valueEncoding: 'json' });
    await db.open();

    // Act
    await db.put('fresh~1', { version: 1 });
    await db.put('fresh~1', { version: 2 });
    expect(await db.get('fresh~1')).toEqual({ version: 2 });
    await db.put('stale~1', { version: 1 });
    expect(await db.get('stale~1')).toEqual({ version: 1 });
    await db.put('stale~1', { version: 2 });
    expect(await db.get('stale~1')).toEqual({ version: 1 });
    await db.del('fresh~1');
    expect(await db.get('fresh~1')).toBeUndefined();
    expect(await db.get('never~written')).toBeUndefined();

    // Assess: four reads of written keys checked, one stale; the unwritten key is not judged.
    expect(counts).toMatchObject({ checked: 4, stale: 1 });
    expect(counts.firstStale).toContain('stale~1');
    await db.close();
  });
});
