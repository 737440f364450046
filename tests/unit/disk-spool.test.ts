import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { sleep } from '#edge-client';
import { SpoolStateError } from '../../edge-client/src/errors/index.js';
import { SpoolFullError } from '../../edge-client/src/errors/spool-full-error.js';
import { DiskSpool } from '../../edge-client/src/spool/disk-spool.js';
import { FRAME_HEADER_BYTES } from '../../edge-client/src/spool/frame.js';
import { readSpoolFormat, SPOOL_FORMAT } from '../../edge-client/src/spool/spool-format.js';

const freshDir = () => mkdtempSync(join(tmpdir(), 'spool-'));
const payload = (n: number, size = 100) => Buffer.from(`${n}:`.padEnd(size, 'x'));
const texts = (entries: { payload: Buffer }[]) =>
  entries.map((e) => e.payload.toString().split(':')[0]);
const segments = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('segment-'))
    .sort();

describe('Class: DiskSpool', () => {
  it('reads back what was appended, in order, and resumes after reopening', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir });
    await spool.append([payload(1), payload(2)]);
    await spool.append([payload(3)]);
    const entries = await spool.read(spool.cursor, 1_000_000);
    expect(texts(entries)).toEqual(['1', '2', '3']);
    await spool.ack(entries[0]?.next ?? spool.cursor);
    await spool.close();

    const reopened = await DiskSpool.open({ dir });
    expect(texts(await reopened.read(reopened.cursor, 1_000_000))).toEqual(['2', '3']);
    await reopened.close();
  });

  it('rolls segments and deletes those that are fully acknowledged', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir, segmentBytes: 1_000, maxBytes: 100_000 });
    for (let i = 0; i < 30; i++) await spool.append([payload(i)]);
    expect(segments(dir).length).toBeGreaterThan(3);
    const entries = await spool.read(spool.cursor, 1_000_000);
    expect(entries).toHaveLength(30);
    await spool.ack(entries[24]?.next ?? spool.cursor);
    expect(segments(dir).length).toBeLessThanOrEqual(2);
    expect(texts(await spool.read(spool.cursor, 1_000_000))).toEqual([
      '25',
      '26',
      '27',
      '28',
      '29',
    ]);
    await spool.close();
  });

  it('cuts a torn last write on open, counts it, and never returns it', async () => {
    // Prepare: two good entries, then half of a third, as a power cut mid-write leaves it.
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir });
    await spool.append([payload(1), payload(2)]);
    await spool.close();
    const [file] = segments(dir);
    const path = join(dir, file as string);
    const torn = Buffer.alloc(FRAME_HEADER_BYTES + 40, 0);
    torn.writeUInt16LE(0x01e5, 0);
    torn.writeUInt32LE(100, 2);
    appendFileSync(path, torn);

    // Act
    const reopened = await DiskSpool.open({ dir });

    // Assess
    expect(texts(await reopened.read(reopened.cursor, 1_000_000))).toEqual(['1', '2']);
    expect(reopened.stats().tornTailBytes).toBe(torn.byteLength);
    await reopened.append([payload(3)]);
    expect(texts(await reopened.read(reopened.cursor, 1_000_000))).toEqual(['1', '2', '3']);
    await reopened.close();
  });

  it('skips a damaged entry in the middle, counts it, and keeps the ones after it', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir });
    await spool.append([payload(1), payload(2), payload(3)]);
    await spool.close();
    const path = join(dir, segments(dir)[0] as string);
    const bytes = readFileSync(path);
    const second = 118 + FRAME_HEADER_BYTES + 10; // inside entry 2's payload
    bytes[second] = (bytes[second] as number) ^ 0xff;
    writeFileSync(path, bytes);

    const reopened = await DiskSpool.open({ dir });
    expect(texts(await reopened.read(reopened.cursor, 1_000_000))).toEqual(['1', '3']);
    expect(reopened.stats().corruptBytesSkipped).toBeGreaterThan(0);
    await reopened.close();
  });

  it('refuses an append that would exceed its bound, with a clear error, and accepts again after an ack', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 2_000, segmentBytes: 500 });
    for (let i = 0; i < 15; i++) await spool.append([payload(i)]);
    await expect(spool.append([payload(99, 600)])).rejects.toBeInstanceOf(SpoolFullError);
    const entries = await spool.read(spool.cursor, 1_000_000);
    expect(texts(entries)).toHaveLength(15);
    await spool.ack(entries[entries.length - 1]?.next ?? spool.cursor);
    await expect(spool.append([payload(99, 600)])).resolves.toBeUndefined();
    await spool.close();
  });

  it('makes a blocked append wait for room instead of failing', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({
      dir,
      maxBytes: 1_000,
      segmentBytes: 300,
      whenFull: 'block',
    });
    for (let i = 0; i < 7; i++) await spool.append([payload(i)]);
    let done = false;
    const blocked = spool.append([payload(7, 300)]).then(() => {
      done = true;
    });
    await sleep(50);
    expect(done).toBe(false);
    const entries = await spool.read(spool.cursor, 1_000_000);
    await spool.ack(entries[entries.length - 1]?.next ?? spool.cursor);
    await blocked;
    expect(done).toBe(true);
    await spool.close();
  });

  it('keeps its disk use within the bound', async () => {
    const dir = freshDir();
    const spool = await DiskSpool.open({ dir, maxBytes: 10_000, segmentBytes: 2_000 });
    for (let i = 0; i < 200; i++) await spool.append([payload(i)]).catch(() => undefined);
    const onDisk = segments(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    expect(onDisk).toBeLessThanOrEqual(10_000);
    expect(spool.stats().bytes).toBe(onDisk);
    await spool.close();
  });

  it('reports the oldest unacknowledged entry time', async () => {
    const spool = await DiskSpool.open({ dir: freshDir() });
    expect(spool.oldestAppendedAt).toBeUndefined();
    const before = Date.now();
    await spool.append([payload(1)]);
    expect(spool.oldestAppendedAt).toBeGreaterThanOrEqual(before);
    await spool.close();
  });

  it('keeps the oldest entry time through acknowledgements, damage and a reopen', async () => {
    // Prepare: three entries appended at known times.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const dir = freshDir();
      const spool = await DiskSpool.open({ dir });
      for (const [i, at] of [1_000, 2_000, 3_000].entries()) {
        vi.setSystemTime(at);
        await spool.append([payload(i + 1)]);
      }
      const entries = await spool.read(spool.cursor, 1_000_000);

      // Act and assess: an acknowledgement moves it to the next intact entry (without
      // counting the damage it steps over: the read does), a reopen finds it on disk, and a
      // drained spool has none until the next append.
      expect(spool.oldestAppendedAt).toBe(1_000);
      const path = join(dir, segments(dir)[0] as string);
      const bytes = readFileSync(path);
      const second = 118 + FRAME_HEADER_BYTES + 10; // inside entry 2's payload
      bytes[second] = (bytes[second] as number) ^ 0xff;
      writeFileSync(path, bytes);
      await spool.ack(entries[0]?.next ?? spool.cursor);
      expect(spool.oldestAppendedAt).toBe(3_000);
      expect(spool.stats().corruptBytesSkipped).toBe(0);
      expect(texts(await spool.read(spool.cursor, 1_000_000))).toEqual(['3']);
      expect(spool.stats().corruptBytesSkipped).toBe(118);
      await spool.close();
      const reopened = await DiskSpool.open({ dir });
      expect(reopened.oldestAppendedAt).toBe(3_000);
      await reopened.ack(reopened.end);
      expect(reopened.oldestAppendedAt).toBeUndefined();
      vi.setSystemTime(4_000);
      await reopened.append([payload(4)]);
      expect(reopened.oldestAppendedAt).toBe(4_000);
      await reopened.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Class: DiskSpool, one owner', () => {
  it("refuses a second opener while the first holds the spool, and takes over a dead owner's lock", async () => {
    const dir = freshDir();
    const first = await DiskSpool.open({ dir });
    await expect(DiskSpool.open({ dir })).rejects.toThrow(/in use by process/);
    await first.close();
    // A lock left by a process that no longer exists (as after kill -9) does not stop a restart.
    writeFileSync(join(dir, 'spool.lock'), '999999999');
    const restarted = await DiskSpool.open({ dir });
    await restarted.close();
  });
});

describe('Class: DiskSpool, format marker', () => {
  it('stamps a new spool with its format, atomically (no temporary file left)', async () => {
    // Prepare
    const dir = join(freshDir(), 'new-spool');
    expect(await readSpoolFormat(dir)).toEqual({ format: SPOOL_FORMAT, marker: 'new' });

    // Act
    const spool = await DiskSpool.open({ dir });
    await spool.close();

    // Assess
    expect(readFileSync(join(dir, 'FORMAT'), 'utf8')).toBe(`${SPOOL_FORMAT}\n`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await readSpoolFormat(dir)).toEqual({ format: SPOOL_FORMAT, marker: 'file' });
  });

  it('reads a folder without the marker as format 1', async () => {
    expect(await readSpoolFormat(freshDir())).toEqual({ format: 1, marker: 'none' });
  });

  it.each([
    ['not a number', 'one\n'],
    ['zero', '0\n'],
    ['empty', ''],
    ['too long', `${'1'.repeat(40)}\n`],
  ])('refuses a marker that is %s, naming the file, and creates nothing', async (_, text) => {
    // Prepare
    const dir = freshDir();
    writeFileSync(join(dir, 'FORMAT'), text);

    // Act
    const opening = DiskSpool.open({ dir });

    // Assess
    await expect(opening).rejects.toBeInstanceOf(SpoolStateError);
    await expect(opening).rejects.toThrow(/FORMAT holds .*not a format number/);
    expect(readdirSync(dir)).toEqual(['FORMAT']);
  });

  it('refuses a newer format with a SpoolFormatError, and creates nothing', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'FORMAT'), `${SPOOL_FORMAT + 1}\n`);
    await expect(DiskSpool.open({ dir })).rejects.toMatchObject({
      name: 'SpoolFormatError',
      found: SPOOL_FORMAT + 1,
      supported: SPOOL_FORMAT,
    });
    expect(readdirSync(dir)).toEqual(['FORMAT']);
  });
});
