import { chunkIndices } from './chunk-indices';
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
  const sizeOf = (index: number) => {
    const record = records[index];
    if (record === undefined) throw new RangeError(`no record at index ${index}`);
    return recordSize(record);
  };
  return chunkIndices(indices, sizeOf, maxCount, maxBytes);
}
