import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolFullError } from '../errors/spool-full-error.js';
import { SpoolStateError } from '../errors/spool-state-error.js';
import { sleep } from '../utils/sleep.js';
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  frameBytes,
  MAX_FRAME_PAYLOAD,
  readFrame,
  resync,
} from './frame.js';
import { markSpoolFormat, readableSpoolFormat } from './spool-format.js';

export interface SpoolOptions {
  /** Folder holding the segments and the cursor; created if missing. */
  readonly dir: string;
  /** Bound on the spool's disk use, acknowledged-but-not-yet-deleted bytes included. @default 1 GiB */
  readonly maxBytes?: number;
  /** Size at which a new segment file is started. @default min(16 MiB, maxBytes / 8) */
  readonly segmentBytes?: number;
  /**
   * When an append is durable. `always`: fsync before `append` resolves (concurrent appends
   * share one fsync). `interval`: fsync every `fsyncIntervalMs`, a power cut may lose that
   * much. `never`: leave it to the OS (survives a process crash, not a power cut).
   * @default 'always'
   */
  readonly fsync?: 'always' | 'interval' | 'never';
  /** @default 100 */
  readonly fsyncIntervalMs?: number;
  /** What `append` does when the spool is full: reject with SpoolFullError, or wait for room. @default 'reject' */
  readonly whenFull?: 'reject' | 'block';
}

/** A place in the spool: segment number and byte offset in it. */
export interface SpoolPosition {
  readonly segment: number;
  readonly offset: number;
}

export interface SpoolEntry {
  readonly position: SpoolPosition;
  /** Where the entry after this one starts: acknowledge up to here to drop this entry. */
  readonly next: SpoolPosition;
  readonly payload: Buffer;
  readonly appendedAt: number;
}

export interface SpoolStats {
  /** Bytes on disk, acknowledged-but-not-yet-deleted segments and appends in progress included. */
  readonly bytes: number;
  /** Bytes of the durable entries not yet acknowledged (0 for a drained spool). */
  readonly unsentBytes: number;
  readonly maxBytes: number;
  readonly segments: number;
  /** Bytes of damaged entries skipped while reading (bit rot, a hand edit). */
  readonly corruptBytesSkipped: number;
  /** Bytes of a torn last write cut off when the spool was opened. */
  readonly tornTailBytes: number;
}

interface PendingAppend {
  readonly appendedAt: number;
  readonly frames: Buffer[];
  readonly bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** SpoolOptions' defaults that others report on (the doctor): set here only. */
export const DEFAULT_SPOOL_MAX_BYTES = 1024 ** 3;
export const DEFAULT_SPOOL_FSYNC: NonNullable<SpoolOptions['fsync']> = 'always';
export const DEFAULT_FSYNC_INTERVAL_MS = 100;

export const SEGMENT_PATTERN = /^segment-(\d{12})\.log$/;
const segmentName = (n: number) => `segment-${String(n).padStart(12, '0')}.log`;
/** Large enough for the largest frame (1 MiB payload plus header). */
const READ_CHUNK = 1024 * 1024 + 64 * 1024;

export const comparePositions = (a: SpoolPosition, b: SpoolPosition) =>
  a.segment - b.segment || a.offset - b.offset;

/**
 * An append-only, bounded, crash-safe queue of byte payloads on local disk.
 *
 * Entries go to numbered segment files as checksummed frames; a cursor file (replaced
 * atomically and fsynced) records the first entry not yet acknowledged. On open, a torn last
 * write is cut off (and counted), so it is never replayed as garbage; damaged entries found
 * while reading are skipped (and counted). Fully acknowledged segments are deleted, which is
 * what frees room under `maxBytes`.
 */
export class DiskSpool {
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly fsyncPolicy: NonNullable<SpoolOptions['fsync']>;
  private readonly whenFull: NonNullable<SpoolOptions['whenFull']>;
  private readonly fsyncIntervalMs: number;
  private readonly segmentSizes = new Map<number, number>();
  private readonly readHandles = new Map<number, FileHandle>();
  private readonly queue: PendingAppend[] = [];
  private readonly spaceWaiters = new Set<() => void>();
  private readonly appendWaiters = new Set<() => void>();
  private writeHandle: FileHandle | undefined;
  private writeSegment = 0;
  private reservedBytes = 0;
  private flushing = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private cursorPosition: SpoolPosition = { segment: 1, offset: 0 };
  /** Append time of the first intact entry at or after the cursor (see oldestAppendedAt). */
  private oldest: number | undefined;
  /** Look-ups of `oldest` begun: a look-up's answer yields to a later one's. */
  private lookUps = 0;
  /** Append time of the first entry written while a look-up of `oldest` was under way. */
  private appendedDuringLookUp: number | undefined;
  private corruptSkipped = 0;
  private tornTail = 0;

  private constructor(private readonly options: SpoolOptions) {
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    this.segmentBytes =
      options.segmentBytes ?? Math.min(16 * 1024 ** 2, Math.floor(this.maxBytes / 8));
    this.fsyncPolicy = options.fsync ?? DEFAULT_SPOOL_FSYNC;
    this.whenFull = options.whenFull ?? 'reject';
    this.fsyncIntervalMs = options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
    if (this.segmentBytes < FRAME_HEADER_BYTES + 1) throw new RangeError('segmentBytes too small');
  }

  /** Opens (or creates) the spool in `options.dir`, repairing a torn tail. */
  static async open(options: SpoolOptions): Promise<DiskSpool> {
    const spool = new DiskSpool(options);
    await spool.recover();
    return spool;
  }

  private get lockFile() {
    return join(this.options.dir, 'spool.lock');
  }

  private get cursorFile() {
    return join(this.options.dir, 'cursor.json');
  }

  private segmentPath(n: number) {
    return join(this.options.dir, segmentName(n));
  }

  /**
   * One process per spool: two writers would interleave frames and fight over the cursor. A
   * lock file holds the owner's pid; one left by a process that died (kill -9, power cut) is
   * taken over.
   */
  private async lock(): Promise<void> {
    const file = this.lockFile;
    for (let attempt = 1; ; attempt++) {
      try {
        await writeFile(file, String(process.pid), { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 1) throw error;
      }
      const owner = Number(await readFile(file, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        throw new SpoolStateError(`spool ${this.options.dir} is in use by process ${owner}`);
      }
      await rm(file, { force: true });
    }
  }

  private async recover(): Promise<void> {
    // A spool of a newer format is refused before anything here is created, locked or
    // repaired: the release that wrote it must find it exactly as it left it.
    await readableSpoolFormat(this.options.dir);
    await mkdir(this.options.dir, { recursive: true });
    await this.lock();
    try {
      // Again under the lock (a newer daemon may have run in between); a folder without the
      // marker (a new spool, or one of the releases before markers: format 1) is stamped.
      if ((await readableSpoolFormat(this.options.dir)).marker !== 'file')
        await markSpoolFormat(this.options.dir);
    } catch (error) {
      await rm(this.lockFile, { force: true });
      throw error;
    }
    const segments = (await readdir(this.options.dir))
      .map((f) => SEGMENT_PATTERN.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    try {
      const saved = JSON.parse(await readFile(this.cursorFile, 'utf8')) as SpoolPosition;
      if (!Number.isSafeInteger(saved.segment) || !Number.isSafeInteger(saved.offset))
        throw new Error('bad cursor');
      this.cursorPosition = saved;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SpoolStateError(`cannot read spool cursor ${this.cursorFile}`, { cause: error });
      }
      this.cursorPosition = { segment: segments[0] ?? 1, offset: 0 };
    }
    for (const n of segments) {
      if (n < this.cursorPosition.segment) await rm(this.segmentPath(n), { force: true });
      else this.segmentSizes.set(n, (await stat(this.segmentPath(n))).size);
    }
    const last = [...this.segmentSizes.keys()].pop();
    if (last === undefined) {
      await this.startSegment(Math.max(1, this.cursorPosition.segment));
      return;
    }
    // Only the last segment can end in a torn write: cut it at the end of its last good frame.
    const buf = await readFile(this.segmentPath(last));
    let end =
      last === this.cursorPosition.segment
        ? Math.min(this.cursorPosition.offset, buf.byteLength)
        : 0;
    for (;;) {
      const frame = readFrame(buf, end);
      if (frame.kind === 'frame') {
        end = frame.next;
        continue;
      }
      const next = frame.kind === 'corrupt' ? resync(buf, end + 1) : -1;
      if (next < 0) break;
      this.corruptSkipped += next - end;
      end = next;
    }
    if (end < buf.byteLength) {
      this.tornTail = buf.byteLength - end;
      const handle = await open(this.segmentPath(last), 'r+');
      await handle.truncate(end);
      await handle.sync();
      await handle.close();
      this.segmentSizes.set(last, end);
    }
    this.writeSegment = last;
    this.writeHandle = await open(this.segmentPath(last), 'a');
    await this.lookUpOldest();
  }

  private async startSegment(n: number): Promise<void> {
    if (this.writeHandle !== undefined) {
      await this.writeHandle.sync();
      await this.writeHandle.close();
    }
    this.writeHandle = await open(this.segmentPath(n), 'a');
    this.writeSegment = n;
    this.segmentSizes.set(n, 0);
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    if (this.fsyncPolicy === 'never') return;
    const dir = await open(this.options.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  /** Bytes on disk plus appends in progress. */
  private get usedBytes(): number {
    let total = 0;
    for (const size of this.segmentSizes.values()) total += size;
    return total + this.reservedBytes;
  }

  /** Bytes from the cursor to the end: what is durable and not yet acknowledged. */
  private get unsentBytes(): number {
    const { segment, offset } = this.cursorPosition;
    let total = 0;
    for (const [s, size] of this.segmentSizes) {
      if (s > segment) total += size;
      else if (s === segment) total += Math.max(0, size - offset);
    }
    return total;
  }

  /** Position of the first entry not yet acknowledged. */
  get cursor(): SpoolPosition {
    return this.cursorPosition;
  }

  /** Position after the last durable entry. */
  get end(): SpoolPosition {
    return { segment: this.writeSegment, offset: this.segmentSizes.get(this.writeSegment) ?? 0 };
  }

  /**
   * Append time (epoch ms) of the oldest entry not yet acknowledged, undefined when there is
   * none. Kept as entries are appended and acknowledged, so reading it costs nothing.
   */
  get oldestAppendedAt(): number | undefined {
    return this.oldest;
  }

  get isEmpty(): boolean {
    return comparePositions(this.normalize(this.cursorPosition), this.end) >= 0;
  }

  stats(): SpoolStats {
    return {
      bytes: this.usedBytes,
      unsentBytes: this.unsentBytes,
      maxBytes: this.maxBytes,
      segments: this.segmentSizes.size,
      corruptBytesSkipped: this.corruptSkipped,
      tornTailBytes: this.tornTail,
    };
  }

  /**
   * Appends payloads as one unit and resolves once they are written (and fsynced, under the
   * `always` policy). Rejects with SpoolFullError, or waits under `whenFull: 'block'`, when the
   * spool has no room: nothing is ever dropped silently.
   */
  async append(payloads: readonly Uint8Array[], signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error('spool is closed');
    const now = Date.now();
    const frames = payloads.map((p) => {
      if (p.byteLength > MAX_FRAME_PAYLOAD)
        throw new RangeError(`payload of ${p.byteLength} bytes exceeds ${MAX_FRAME_PAYLOAD}`);
      return encodeFrame(p, now);
    });
    const bytes = frames.reduce((s, f) => s + f.byteLength, 0);
    while (this.usedBytes + bytes > this.maxBytes) {
      if (this.whenFull === 'reject' || bytes > this.maxBytes)
        throw new SpoolFullError(this.maxBytes, this.usedBytes, bytes);
      await this.waitFor(this.spaceWaiters, signal);
    }
    this.reservedBytes += bytes;
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ appendedAt: now, frames, bytes, resolve, reject });
      void this.flush();
    });
  }

  private waitFor(
    waiters: Set<() => void>,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.throwIfAborted();
      const done = () => {
        waiters.delete(done);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        waiters.delete(done);
        if (timer !== undefined) clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves when something is appended (or after `timeoutMs`). */
  waitForAppend(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.waitFor(this.appendWaiters, signal, timeoutMs);
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.queue.length);
        try {
          // One writev per segment touched: per-frame writes cost a syscall each.
          let run: Buffer[] = [];
          let runBytes = 0;
          const writeRun = async () => {
            if (run.length === 0) return;
            const { bytesWritten } = await (this.writeHandle as FileHandle).writev(run);
            if (bytesWritten !== runBytes)
              throw new Error(`short spool write: ${bytesWritten} of ${runBytes} bytes`);
            this.segmentSizes.set(
              this.writeSegment,
              (this.segmentSizes.get(this.writeSegment) ?? 0) + runBytes,
            );
            run = [];
            runBytes = 0;
          };
          for (const pending of batch) {
            for (const frame of pending.frames) {
              const size = (this.segmentSizes.get(this.writeSegment) ?? 0) + runBytes;
              if (size > 0 && size + frame.byteLength > this.segmentBytes) {
                await writeRun();
                await this.startSegment(this.writeSegment + 1);
              }
              run.push(frame);
              runBytes += frame.byteLength;
            }
          }
          await writeRun();
          if (this.fsyncPolicy === 'always') await (this.writeHandle as FileHandle).sync();
          else if (this.fsyncPolicy === 'interval') this.scheduleFsync();
          const appendedAt = batch.find((p) => p.frames.length > 0)?.appendedAt;
          this.oldest ??= appendedAt;
          this.appendedDuringLookUp ??= appendedAt;
          for (const pending of batch) {
            this.reservedBytes -= pending.bytes;
            pending.resolve();
          }
        } catch (error) {
          for (const pending of batch) {
            this.reservedBytes -= pending.bytes;
            pending.reject(error);
          }
        }
        for (const wake of [...this.appendWaiters]) wake();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Under `interval`: one fsync at most `fsyncIntervalMs` after a write that has none pending. */
  private scheduleFsync() {
    if (this.fsyncTimer !== undefined) return;
    this.fsyncTimer = setTimeout(() => {
      this.fsyncTimer = undefined;
      this.writeHandle?.sync().catch(() => undefined);
    }, this.fsyncIntervalMs);
  }

  /** Moves a position at the very end of a finished segment to the start of the next one. */
  private normalize(p: SpoolPosition): SpoolPosition {
    let pos = p;
    while (
      pos.segment < this.writeSegment &&
      pos.offset >= (this.segmentSizes.get(pos.segment) ?? 0)
    ) {
      pos = { segment: pos.segment + 1, offset: 0 };
    }
    return pos;
  }

  /**
   * Reads entries from `from` on, up to about `maxBytes` of payload (at least one entry).
   * Damaged entries are skipped and counted, never returned.
   */
  read(from: SpoolPosition, maxBytes: number): Promise<SpoolEntry[]> {
    return this.scan(from, maxBytes, true);
  }

  /** `read`, counting the damage it skips or not (a look-up must not count what a read will). */
  private async scan(
    from: SpoolPosition,
    maxBytes: number,
    countDamage: boolean,
  ): Promise<SpoolEntry[]> {
    const entries: SpoolEntry[] = [];
    let total = 0;
    let pos = this.normalize(
      comparePositions(from, this.cursorPosition) < 0 ? this.cursorPosition : from,
    );
    while (total < maxBytes && comparePositions(pos, this.end) < 0) {
      const segmentEnd = this.segmentSizes.get(pos.segment) ?? 0;
      const length = Math.min(
        Math.max(READ_CHUNK, maxBytes - total + FRAME_HEADER_BYTES),
        segmentEnd - pos.offset,
      );
      const chunk = await this.readAt(pos.segment, pos.offset, length);
      const reachesEnd = pos.offset + chunk.byteLength >= segmentEnd;
      let offset = 0;
      let damaged = false;
      while (total < maxBytes) {
        const frame = readFrame(chunk, offset);
        if (frame.kind === 'frame') {
          entries.push({
            position: { segment: pos.segment, offset: pos.offset + offset },
            next: { segment: pos.segment, offset: pos.offset + frame.next },
            payload: Buffer.from(frame.payload),
            appendedAt: frame.appendedAt,
          });
          total += frame.payload.byteLength;
          offset = frame.next;
          continue;
        }
        // A frame cut by the end of this chunk is read whole on the next pass; anything else
        // (bad magic or checksum, or a partial frame at the end of a segment) is damage.
        damaged = frame.kind === 'corrupt' || (reachesEnd && offset < chunk.byteLength);
        break;
      }
      pos = { segment: pos.segment, offset: pos.offset + offset };
      if (damaged) pos = await this.skipDamage(pos, segmentEnd, countDamage);
      pos = this.normalize(pos);
    }
    return entries;
  }

  /** Finds the next intact frame after damage at `at` in its segment; counts what it skips. */
  private async skipDamage(
    at: SpoolPosition,
    segmentEnd: number,
    count: boolean,
  ): Promise<SpoolPosition> {
    const rest = await this.readAt(at.segment, at.offset, segmentEnd - at.offset);
    const next = resync(rest, 1);
    const skipped = next < 0 ? rest.byteLength : next;
    if (count) this.corruptSkipped += skipped;
    return { segment: at.segment, offset: at.offset + skipped };
  }

  /**
   * Append time of the first intact entry at or after `from`: the frame there, read alone
   * (header, then the frame), or, past damage, the next intact one.
   */
  private async firstAppendedAt(from: SpoolPosition): Promise<number | undefined> {
    const at = this.normalize(from);
    if (comparePositions(at, this.end) >= 0) return undefined;
    const header = await this.readAt(at.segment, at.offset, FRAME_HEADER_BYTES);
    const bytes = header.byteLength === FRAME_HEADER_BYTES ? frameBytes(header, 0) : undefined;
    if (bytes !== undefined) {
      const frame = readFrame(await this.readAt(at.segment, at.offset, bytes), 0);
      if (frame.kind === 'frame') return frame.appendedAt;
    }
    return (await this.scan(at, 1, false))[0]?.appendedAt;
  }

  private async readAt(segment: number, offset: number, length: number): Promise<Buffer> {
    let handle = this.readHandles.get(segment);
    if (handle === undefined) {
      handle = await open(this.segmentPath(segment), 'r');
      this.readHandles.set(segment, handle);
    }
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  }

  /**
   * Acknowledges every entry before `upTo`: persists the cursor (atomically, fsynced) and
   * deletes segments that are now entirely behind it.
   */
  async ack(upTo: SpoolPosition): Promise<void> {
    const next = this.normalize(upTo);
    if (comparePositions(next, this.cursorPosition) <= 0) return;
    const tmp = `${this.cursorFile}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(next));
      if (this.fsyncPolicy !== 'never') await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.cursorFile);
    await this.syncDir();
    this.cursorPosition = next;
    for (const segment of [...this.segmentSizes.keys()]) {
      if (segment >= next.segment) continue;
      await this.readHandles.get(segment)?.close();
      this.readHandles.delete(segment);
      await rm(this.segmentPath(segment), { force: true });
      this.segmentSizes.delete(segment);
    }
    for (const wake of [...this.spaceWaiters]) wake();
    await this.lookUpOldest();
  }

  /**
   * Sets `oldest` from the entry at the cursor. An append that lands while the look-up reads
   * is the oldest entry if the look-up found none.
   */
  private async lookUpOldest(): Promise<void> {
    const lookUp = ++this.lookUps;
    this.appendedDuringLookUp = undefined;
    const found = await this.firstAppendedAt(this.cursorPosition);
    if (lookUp === this.lookUps) this.oldest = found ?? this.appendedDuringLookUp;
  }

  /** Finishes pending appends, fsyncs and closes files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await sleep(5);
    if (this.fsyncTimer !== undefined) clearTimeout(this.fsyncTimer);
    if (this.writeHandle !== undefined) {
      if (this.fsyncPolicy !== 'never') await this.writeHandle.sync();
      await this.writeHandle.close();
    }
    for (const handle of this.readHandles.values()) await handle.close();
    this.readHandles.clear();
    await rm(this.lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
