/**
 * Runs `fn` over `items` with at most `limit` calls in flight, and returns the results in the
 * items' order. A bounded worker pool: `min(limit, items.length)` workers each take the next
 * item until none is left. A rejection rejects the whole, as `Promise.all` does.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
