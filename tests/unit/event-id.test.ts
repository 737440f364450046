import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { newEventId } from '../../edge-client/src/core/event-id.js';

describe('Function: newEventId', () => {
  it('makes ULIDs of now, none repeated across many pool refills', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5_000 }, () => newEventId());
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(decodeTime(id)).toBeGreaterThanOrEqual(before);
      expect(decodeTime(id)).toBeLessThanOrEqual(after);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws every random character from the whole alphabet', () => {
    const seen = new Set(
      Array.from({ length: 2_000 }, () => newEventId().slice(10)).flatMap((r) => [...r]),
    );
    expect(seen.size).toBe(32);
  });
});
