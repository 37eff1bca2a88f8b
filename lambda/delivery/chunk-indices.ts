/**
 * Splits item indices into batch calls, in order, each within `maxCount` items and `maxBytes` bytes
 * (as `sizeOf` counts them). An item larger than `maxBytes` goes alone, so the service refuses it by
 * itself. The one chunking of PutRecords (records) and SendMessageBatch (spill messages).
 */
export function chunkIndices(
  indices: readonly number[],
  sizeOf: (index: number) => number,
  maxCount: number,
  maxBytes: number,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const index of indices) {
    const size = sizeOf(index);
    if (current.length > 0 && (current.length >= maxCount || currentBytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
