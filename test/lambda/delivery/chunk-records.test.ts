import {
  chunkRecords,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_COUNT,
  recordSize,
} from '../../../lambda/delivery/chunk-records';
import type { OutgoingRecord } from '../../../lambda/delivery/record-writer';

const MiB = 1024 * 1024;

/** A record whose data is `dataBytes` long, with a 36-character (uuid-sized) partition key. */
function record(dataBytes: number, partitionKey = '8d8f1d61-d8af-4c4b-a5aa-9860ae5fc7f2'): OutgoingRecord {
  return { data: new Uint8Array(dataBytes), partitionKey };
}

const allIndices = (records: readonly OutgoingRecord[]) => records.map((_, index) => index);

describe('recordSize', () => {
  it('counts the data bytes plus the UTF-8 bytes of the partition key', () => {
    // Prepare: "é" and "日" take 2 and 3 bytes in UTF-8
    const data = new TextEncoder().encode('{"event":"héllo"}');

    // Act
    const size = recordSize({ data, partitionKey: 'é日' });

    // Assess
    expect(data.byteLength).toBe(18);
    expect(size).toBe(18 + 5);
  });
});

describe('chunkRecords', () => {
  it('keeps to the PutRecords limits of 500 records and 5 MiB', () => {
    // Assess
    expect(PUT_RECORDS_MAX_COUNT).toBe(500);
    expect(PUT_RECORDS_MAX_BYTES).toBe(5 * MiB);
  });

  it('splits 1234 small records into calls of 500, 500 and 234, in order', () => {
    // Prepare
    const records = Array.from({ length: 1234 }, () => record(300));

    // Act
    const chunks = chunkRecords(records, allIndices(records));

    // Assess
    expect(chunks.map((chunk) => chunk.length)).toEqual([500, 500, 234]);
    expect(chunks.flat()).toEqual(allIndices(records));
  });

  it('puts 500 records in one call', () => {
    // Prepare
    const records = Array.from({ length: 500 }, () => record(100));

    // Act
    const chunks = chunkRecords(records, allIndices(records));

    // Assess
    expect(chunks).toHaveLength(1);
  });

  it('starts a new call before the data plus partition keys pass 5 MiB', () => {
    // Prepare: each record is 1 MiB of data plus a 36-byte key, so five do not fit in 5 MiB
    const records = Array.from({ length: 7 }, () => record(MiB));

    // Act
    const chunks = chunkRecords(records, allIndices(records));

    // Assess
    expect(chunks).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('fills a call up to exactly 5 MiB', () => {
    // Prepare: five records of exactly 1 MiB each, data and key together
    const key = 'k'.repeat(36);
    const records = Array.from({ length: 6 }, () => record(MiB - 36, key));

    // Act
    const chunks = chunkRecords(records, allIndices(records));

    // Assess
    expect(chunks).toEqual([[0, 1, 2, 3, 4], [5]]);
  });

  it('counts partition keys in UTF-8 bytes, not characters', () => {
    // Prepare: a 200-character key of 3-byte characters is 600 bytes; counted in characters both
    // records would fit in 5 MiB (5 MiB - 199 units), counted in bytes they do not (5 MiB + 201)
    const first = record(PUT_RECORDS_MAX_BYTES - 500, '日'.repeat(200));
    const second = record(100, 'a');

    // Act
    const chunks = chunkRecords([first, second], [0, 1]);

    // Assess
    expect(recordSize(first)).toBe(PUT_RECORDS_MAX_BYTES + 100);
    expect(chunks).toEqual([[0], [1]]);
  });

  it('sends a record larger than 5 MiB alone, between its neighbours', () => {
    // Prepare
    const records = [record(10), record(6 * MiB), record(10)];

    // Act
    const chunks = chunkRecords(records, allIndices(records));

    // Assess
    expect(chunks).toEqual([[0], [1], [2]]);
  });

  it('chunks only the given indices, in the given order (retries of failed records)', () => {
    // Prepare
    const records = Array.from({ length: 10 }, () => record(10));

    // Act
    const chunks = chunkRecords(records, [7, 2, 9], 2);

    // Assess
    expect(chunks).toEqual([[7, 2], [9]]);
  });

  it('returns no call for no records', () => {
    // Act
    const chunks = chunkRecords([], []);

    // Assess
    expect(chunks).toEqual([]);
  });

  it('refuses an index with no record behind it', () => {
    // Prepare
    const records = [record(10)];

    // Act
    const chunking = () => chunkRecords(records, [0, 3]);

    // Assess
    expect(chunking).toThrow(RangeError);
  });
});
