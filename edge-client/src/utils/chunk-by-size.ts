/**
 * Splits items, in order, into chunks of at most `count` items and `bytes` bytes (by
 * `sizeOf`); an item larger than `bytes` on its own gets a chunk of its own (a caller that
 * cannot send one must refuse it before).
 */
export function chunkBySize<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { readonly count: number; readonly bytes: number },
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length === limits.count || (current.length > 0 && bytes + size > limits.bytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
