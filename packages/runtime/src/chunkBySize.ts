/**
 * Splits items, in order, into runs whose sizes add up to at most `maxSize`; an item larger than that goes alone.
 * Produce requests are cut this way so that no partition's record batch can exceed the broker's limit.
 */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxSize: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = sizeOf(item);
    if (current.length > 0 && bytes + n > maxSize) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
