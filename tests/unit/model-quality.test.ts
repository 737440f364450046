import { describe, expect, it } from 'vitest';
import { falsePositiveRate, laneFlagged } from '../../functions/domain/model-quality.js';

describe('model quality', () => {
  it('false-positive rate is over resolved outcomes, null when none', () => {
    expect(falsePositiveRate({ recovered: 0, confirmed_loss: 0, false_positive: 0 })).toBeNull();
    expect(falsePositiveRate({ recovered: 2, confirmed_loss: 1, false_positive: 1 })).toBe(0.25);
  });
  it('flags a lane only with 10 resolved, rate >= store + 0.20 and >= 1.5x store', () => {
    expect(laneFlagged({ recovered: 5, confirmed_loss: 0, false_positive: 5 }, 0.2)).toBe(true);
    expect(laneFlagged({ recovered: 4, confirmed_loss: 0, false_positive: 5 }, 0.2)).toBe(false);
    expect(laneFlagged({ recovered: 5, confirmed_loss: 0, false_positive: 5 }, 0.35)).toBe(false);
    expect(laneFlagged({ recovered: 1, confirmed_loss: 0, false_positive: 9 }, 0.65)).toBe(false);
  });
});
