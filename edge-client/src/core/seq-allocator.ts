import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../spool/atomic-file.js';

const BLOCK = 100_000;

/**
 * Hands out each device's strictly increasing `seq`, persisted beside the spool. Numbers are
 * reserved in blocks (one fsynced write per 100,000 events) and a fresh start never goes
 * below the clock in microseconds, so even a lost state file or a re-installed PC cannot
 * reuse a number the processor has already counted (which would make it drop a new event as a
 * duplicate).
 */
export class SeqAllocator {
  private readonly next = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {}

  static async open(dir: string, now: () => number = Date.now): Promise<SeqAllocator> {
    const allocator = new SeqAllocator(join(dir, 'seq.json'), now);
    try {
      const saved = JSON.parse(await readFile(allocator.file, 'utf8')) as Record<string, number>;
      for (const [device, reserved] of Object.entries(saved)) {
        if (Number.isSafeInteger(reserved)) allocator.reserved.set(device, reserved);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return allocator;
  }

  /** The next `seq` for `deviceId`; durable before it is returned. */
  async allocate(deviceId: string): Promise<number> {
    const next =
      this.next.get(deviceId) ?? Math.max(this.reserved.get(deviceId) ?? 0, this.now() * 1000) + 1;
    this.next.set(deviceId, next + 1);
    if (next > (this.reserved.get(deviceId) ?? 0)) {
      this.reserved.set(deviceId, next + BLOCK);
      const snapshot = JSON.stringify(Object.fromEntries(this.reserved));
      this.writing = this.writing.then(() => writeFileAtomic(this.file, snapshot));
    }
    await this.writing;
    return next;
  }
}
