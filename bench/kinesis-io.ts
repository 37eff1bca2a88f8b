import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { OutgoingRecord } from '../lambda/delivery/record-writer';
import { readAllRecords } from '../test/support/stream-reader';

/** Deletes the stream if it exists and creates it again, empty and ACTIVE. */
export async function recreateStream(
  client: KinesisClient,
  streamName: string,
  shards: number,
): Promise<void> {
  try {
    await client.send(new DeleteStreamCommand({ StreamName: streamName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shards }));
      break;
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException' || attempt > 100) throw error;
      await sleep(20);
    }
  }
  for (let attempt = 0; attempt < 200; attempt++) {
    const { StreamDescriptionSummary } = await client.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await sleep(20);
  }
  throw new Error(`stream ${streamName} did not become ACTIVE`);
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** The ceiling's writer: PutRecords calls of `batchSize` records, `concurrency` at a time. */
export async function putRecordsAll(
  client: KinesisClient,
  streamName: string,
  records: readonly OutgoingRecord[],
  batchSize: number,
  concurrency: number,
): Promise<void> {
  await inParallel(Math.ceil(records.length / batchSize), concurrency, async (call) => {
    const chunk = records.slice(call * batchSize, (call + 1) * batchSize);
    const output = await client.send(
      new PutRecordsCommand({
        StreamName: streamName,
        Records: chunk.map((record) => ({ Data: record.data, PartitionKey: record.partitionKey })),
      }),
    );
    if (output.FailedRecordCount) throw new Error(`${output.FailedRecordCount} records failed in PutRecords`);
  });
}

/** The peer style: one PutRecord call per record, `concurrency` at a time. */
export async function putRecordEach(
  client: KinesisClient,
  streamName: string,
  records: readonly OutgoingRecord[],
  concurrency: number,
): Promise<void> {
  await inParallel(records.length, concurrency, async (index) => {
    const record = records[index] as OutgoingRecord;
    await client.send(
      new PutRecordCommand({ StreamName: streamName, Data: record.data, PartitionKey: record.partitionKey }),
    );
  });
}

/** What the stream holds after a run, compared with the event ids that were sent. */
export interface Verification {
  readonly expected: number;
  readonly records: number;
  readonly missing: number;
  readonly duplicated: number;
  readonly unexpected: number;
  /** Mean record size in bytes (the serialised envelope). */
  readonly meanRecordBytes: number;
  /** Whether every sent event is in the stream exactly once and nothing else is. */
  readonly exactlyOnce: boolean;
}

/** Reads the whole stream and counts records by `event_id`. */
export async function verifyStream(
  client: KinesisClient,
  streamName: string,
  expectedIds: readonly string[],
): Promise<Verification> {
  const records = await readAllRecords(client, streamName);
  const seen = new Map<string, number>();
  let bytes = 0;
  for (const record of records) {
    const id = String(record.json.event_id);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    bytes += record.data.length;
  }
  let missing = 0;
  let duplicated = 0;
  const expected = new Set(expectedIds);
  for (const id of expected) {
    const count = seen.get(id) ?? 0;
    if (count === 0) missing++;
    if (count > 1) duplicated++;
  }
  const unexpected = [...seen.keys()].filter((id) => !expected.has(id)).length;
  return {
    expected: expected.size,
    records: records.length,
    missing,
    duplicated,
    unexpected,
    meanRecordBytes: records.length === 0 ? 0 : bytes / records.length,
    exactlyOnce:
      missing === 0 && duplicated === 0 && unexpected === 0 && records.length === expectedIds.length,
  };
}
