import { describe, expect, it } from 'vitest';
import {
  adviceFor,
  countByReason,
  DEAD_LETTER_REASONS,
  isDeadLetterReason,
} from '../../functions/domain/dead-letter-advice.js';

describe('dead-letter advice', () => {
  it('names a fix for every reason, and only registry reasons (keys included) are recovered by a replay or rebuild', () => {
    expect(DEAD_LETTER_REASONS).toHaveLength(14);
    const rebuildable = DEAD_LETTER_REASONS.filter(
      (r) => adviceFor(r).recovery === 'rebuild_after_fix',
    );
    expect(rebuildable.sort()).toEqual(
      ['store_mismatch', 'team_mismatch', 'unknown_device', 'unknown_key', 'unknown_store'].sort(),
    );
    for (const reason of DEAD_LETTER_REASONS) {
      expect(adviceFor(reason).fix.length).toBeGreaterThan(10);
      expect(adviceFor(reason).meaning.length).toBeGreaterThan(10);
    }
  });

  it('answers a reason it does not know without throwing, and does not echo more than 40 characters', () => {
    expect(isDeadLetterReason('toString')).toBe(false);
    expect(isDeadLetterReason('unknown_device')).toBe(true);
    const advice = adviceFor(`future_reason${'x'.repeat(500)}`);
    expect(advice.recovery).toBe('never');
    expect(advice.meaning.length).toBeLessThan(120);
  });

  it('counts letters and the records they stand for per reason, most records first', () => {
    expect(
      countByReason([
        { reason: 'unknown_device', count: 3 },
        { reason: 'clock_skew', count: 10 },
        { reason: 'unknown_device', count: 4 },
        { reason: 'bad_signature', count: 7 },
      ]),
    ).toEqual([
      { reason: 'clock_skew', letters: 1, records: 10 },
      { reason: 'bad_signature', letters: 1, records: 7 },
      { reason: 'unknown_device', letters: 2, records: 7 },
    ]);
  });
});
