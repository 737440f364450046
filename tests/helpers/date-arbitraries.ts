import fc from 'fast-check';

/** Strings shaped like `YYYY-MM-DD` over every year a `Date` can hold and beyond, months and days one past each end. */
const dateLike = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1990, max: 2110 })),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
  )
  .map(([y, m, d]) =>
    [String(y).padStart(4, '0'), String(m).padStart(2, '0'), String(d).padStart(2, '0')].join('-'),
  );

/**
 * Any value a caller might put in a period parameter: date-shaped strings (far past and
 * future years included), arbitrary strings, and the values that once gave 500s.
 */
export const anyPeriodDate = fc.oneof(
  dateLike,
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '9999-12-01',
    '9999-12-31',
    '0100-01-01',
    '0999-12-20',
    '1000-01-05',
    '2000-01-01',
    '2099-12-31',
  ),
);
