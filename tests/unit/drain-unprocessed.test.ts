import { describe, expect, it } from 'vitest';
import {
  drainUnprocessed,
  UnprocessedItemsError,
} from '../../functions/adapters/drain-unprocessed.js';

describe('Function: drainUnprocessed', () => {
  it('re-sends what a batch call left unprocessed until nothing is left', async () => {
    // Prepare: the service processes one item per call, as under throttling.
    const sent: string[][] = [];
    const call = async (items: string[]) => {
      sent.push(items);
      return items.slice(1);
    };

    // Act
    await drainUnprocessed('BatchWriteItem', ['a', 'b', 'c'], call, (items) => items?.length ?? 0);

    // Assess
    expect(sent).toEqual([['a', 'b', 'c'], ['b', 'c'], ['c']]);
  });

  it('fails loudly, naming how many items remain, instead of dropping them', async () => {
    const stuck = async (items: string[]) => items;
    await expect(
      drainUnprocessed('BatchWriteItem', ['a', 'b'], stuck, (items) => items?.length ?? 0, 3),
    ).rejects.toEqual(new UnprocessedItemsError('BatchWriteItem', 2));
  });
});
