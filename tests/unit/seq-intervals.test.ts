import { describe, expect, it } from 'vitest';
import { SeqIntervals } from '../../functions/domain/seq-intervals.js';

describe('Class: SeqIntervals', () => {
  it('adds each sequence number once and reports repeats', () => {
    const s = SeqIntervals.empty();
    expect([s.add(1), s.add(2), s.add(2), s.add(1)]).toEqual([true, true, false, false]);
    expect(s.toString()).toBe('1-2');
  });

  it('keeps a gap for an out-of-order arrival and closes it when the late one comes', () => {
    const s = SeqIntervals.empty();
    for (const n of [1, 2, 4, 5]) s.add(n);
    expect(s.toString()).toBe('1-2,4-5');
    expect(s.has(3)).toBe(false);
    s.add(3);
    expect(s.toString()).toBe('1-5');
    expect(s.intervalCount).toBe(1);
  });

  it('round-trips through its serialized form', () => {
    const s = SeqIntervals.parse('3,7-9,1000000000000000-1000000000000002');
    expect(s.has(8)).toBe(true);
    expect(s.has(1_000_000_000_000_001)).toBe(true);
    expect(s.has(4)).toBe(false);
    expect(SeqIntervals.parse(s.toString()).toString()).toBe(s.toString());
  });

  it('matches a naive set on a random sequence of additions', () => {
    const s = SeqIntervals.empty();
    const naive = new Set<number>();
    let x = 12345;
    for (let i = 0; i < 2_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const n = x % 300;
      expect(s.add(n)).toBe(!naive.has(n));
      naive.add(n);
    }
    for (let n = 0; n < 300; n++) expect(s.has(n)).toBe(naive.has(n));
  });

  it('refuses malformed text', () => {
    expect(() => SeqIntervals.parse('5-3')).toThrow(/malformed/);
    expect(() => SeqIntervals.parse('a')).toThrow(/malformed/);
  });
});
