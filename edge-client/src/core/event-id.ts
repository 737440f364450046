import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/** Random bytes drawn from the CSPRNG at a time: enough for 256 event ids. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let next = POOL_BYTES;

/**
 * The same generator the ulid package picks by default (one byte of the system CSPRNG per
 * character, as a fraction of 256), drawn from a pooled buffer: the package's own asks the
 * CSPRNG for one byte at a time into a new Uint8Array, 16 buffers an id, which at 1,000
 * events a second was a fifth of everything the daemon allocated.
 */
function pooledRandom(): number {
  if (next >= POOL_BYTES) {
    randomFillSync(pool);
    next = 0;
  }
  return (pool[next++] as number) / 256;
}

/** A new event id: a ULID of now, its 80 random bits from the CSPRNG. */
export const newEventId = (): string => ulid(undefined, pooledRandom);
