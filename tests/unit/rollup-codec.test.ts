import { describe, expect, it } from 'vitest';
import { Identifier } from '#contract';
import {
  CONTRIBUTOR_PREFIX,
  contributorValue,
  unpackContributors,
} from '../../functions/adapters/rollup-codec.js';

const itemOf = (entries: Record<string, { version: number; snapshot: string }>) =>
  Object.fromEntries(
    Object.entries(entries).map(([id, e]) => [
      `${CONTRIBUTOR_PREFIX}${id}`,
      { S: contributorValue(e) },
    ]),
  );

describe('Function: contributorValue', () => {
  it('reads back every entry it wrote, figures in base 36', () => {
    // Prepare
    const entries = {
      'store-0001': { version: 1_440, snapshot: '9600,48211077,0,0,9113,1402' },
      'store-0002': { version: 7, snapshot: '1,2,3,4,5,6' },
    };

    // Act
    const item = itemOf(entries);

    // Assert
    expect(item['c:store-0001']?.S).toBe('1440|7eo,spbwl,0,0,715,12y');
    expect(Object.fromEntries(unpackContributors(item))).toEqual(entries);
  });

  it('takes a third less than the earlier layout for a store of a full day', () => {
    // Prepare
    const entry = { version: 1_287, snapshot: '9600,48211077,31904518,4877120,9113,1402' };
    const earlier = 'v:store-0001'.length + 4 + 's:store-0001'.length + entry.snapshot.length;

    // Act
    const now = 'c:store-0001'.length + contributorValue(entry).length;

    // Assert
    expect(now).toBeLessThan((earlier * 2) / 3 + 1);
  });
});

describe('Function: unpackContributors', () => {
  it('reads an item of the earlier layout, and prefers the new attribute where both are', () => {
    // Prepare
    const item = {
      pk: { S: 'ROLLUP#ORG#DAY#3' },
      'v:store-0001': { N: '4' },
      's:store-0001': { S: '1,2,3,4,5,6' },
      'v:store-0009': { N: '1' },
      'v:store-0005': { N: '2' },
      ...itemOf({ 'store-0005': { version: 3, snapshot: '7,0,0,0,0,0' } }),
      detections: { N: '12' },
    };

    // Act
    const entries = unpackContributors(item);

    // Assert
    expect(Object.fromEntries(entries)).toEqual({
      'store-0001': { version: 4, snapshot: '1,2,3,4,5,6' },
      'store-0005': { version: 3, snapshot: '7,0,0,0,0,0' },
      'store-0009': { version: 1, snapshot: '' },
    });
  });

  it('refuses a value it cannot read, naming the contributor', () => {
    // Prepare
    const broken = { 'c:store-0001': { S: 'x|1,2' } };
    const badFigure = { 'c:store-0002': { S: '4|1,*,3' } };

    // Act & Assert
    expect(() => unpackContributors(broken)).toThrow(/store-0001/);
    expect(() => unpackContributors(badFigure)).toThrow(/store-0002/);
  });
});

describe('Rule: a contributor value is unambiguous for every id the contract allows', () => {
  it("holds no id (its attribute name does), and no id may hold the value's '|' or ','", () => {
    // Prepare
    const entry = { version: 12, snapshot: '3,0,1,0,0,0' };

    // Act / Assess
    expect(contributorValue(entry)).toBe('12|3,0,1,0,0,0');
    for (const id of ['a|b', 'a,b', '|', ',', 'a b', '#a'])
      expect(Identifier.safeParse(id).success).toBe(false);
    const odd = ['s:1', 's.1', 'v:x', `9${'Z'.repeat(63)}`];
    const item = Object.fromEntries(
      odd.map((id) => [`${CONTRIBUTOR_PREFIX}${id}`, { S: contributorValue(entry) }]),
    );
    expect([...unpackContributors(item)]).toEqual(odd.map((id) => [id, entry]));
  });
});
