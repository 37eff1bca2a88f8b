import type { OutgoingRecord } from './record-writer';

/** PutRecords limits: 500 records and 5 MiB (data plus partition keys) per call. */
export const PUT_RECORDS_MAX_COUNT = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/** The bytes a record counts for in PutRecords' 5 MiB limit: its data plus its partition key. */
export function recordSize(record: OutgoingRecord): number {
  return record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
}

/**
 * Splits record indices into PutRecords calls, in order, each within `maxCount` records and
 * `maxBytes` bytes. A record larger than `maxBytes` goes alone (Kinesis then rejects it by itself).
 */
export function chunkRecords(
  records: readonly OutgoingRecord[],
  indices: readonly number[],
  maxCount = PUT_RECORDS_MAX_COUNT,
  maxBytes = PUT_RECORDS_MAX_BYTES,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const index of indices) {
    const record = records[index];
    if (record === undefined) throw new RangeError(`no record at index ${index}`);
    const size = recordSize(record);
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
