import { describe, expect, it } from 'vitest';
import { mapLimit } from '#edge-client';

describe('Function: mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns results in the items’ order', async () => {
    // Prepare: calls that finish in reverse order of start.
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);

    // Act
    const results = await mapLimit(items, 4, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let tick = 0; tick < 20 - i; tick++) await Promise.resolve();
      inFlight--;
      return i * 10;
    });

    // Assess
    expect(most).toBe(4);
    expect(results).toEqual(items.map((i) => i * 10));
  });

  it('starts no more workers than there are items, and none for none', async () => {
    let calls = 0;
    await expect(mapLimit([], 8, async () => calls++)).resolves.toEqual([]);
    await expect(mapLimit(['a'], 8, async (x) => x.toUpperCase())).resolves.toEqual(['A']);
    expect(calls).toBe(0);
  });

  it('rejects with the first failure', async () => {
    const failure = new Error('item 3');
    await expect(
      mapLimit([1, 2, 3, 4], 2, async (i) => {
        if (i === 3) throw failure;
        return i;
      }),
    ).rejects.toBe(failure);
  });
});
