import { RecordAggregator } from 'aws-kinesis-agg/lib/kpl-agg';
import type { FailedRecord, OutgoingRecord, RecordWriter, WriteReport } from './record-writer';

/** KPL's default largest aggregated record (`AggregationMaxSize`). */
export const DEFAULT_MAX_AGGREGATE_BYTES = 51_200;

/**
 * Optional KPL record aggregation: the events of one write that share a partition key are packed
 * into aggregated records (the KPL format, via `aws-kinesis-agg`) of at most `maxAggregateBytes`,
 * so a user's burst costs one Kinesis record instead of many; KCL and the deaggregation libraries
 * read them transparently. A key with a single event is written as a plain record. If an
 * aggregated record fails, every event in it is reported failed (and the client sends them again).
 */
export class AggregatingRecordWriter implements RecordWriter {
  constructor(
    private readonly inner: RecordWriter,
    private readonly maxAggregateBytes = DEFAULT_MAX_AGGREGATE_BYTES,
  ) {}

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const { packed, members } = this.pack(records);
    const report = await this.inner.write(packed, deadline);
    const failed: FailedRecord[] = report.failed.flatMap((failure) =>
      (members[failure.index] ?? []).map((index) => ({ ...failure, index })),
    );
    failed.sort((a, b) => a.index - b.index);
    return { ...report, failed };
  }

  /** Aggregated (or plain) records, and for each the indices of the events it carries. */
  private pack(records: readonly OutgoingRecord[]): { packed: OutgoingRecord[]; members: number[][] } {
    const byKey = new Map<string, number[]>();
    records.forEach((record, index) => {
      const group = byKey.get(record.partitionKey);
      if (group === undefined) byKey.set(record.partitionKey, [index]);
      else group.push(index);
    });
    const packed: OutgoingRecord[] = [];
    const members: number[][] = [];
    const emit = (aggregator: RecordAggregator, indices: number[]) => {
      if (indices.length === 0) return;
      if (indices.length === 1) {
        packed.push(records[indices[0] as number] as OutgoingRecord);
      } else {
        const encoded = aggregator.build();
        if (encoded === undefined) return;
        packed.push({ data: encoded.data, partitionKey: encoded.partitionKey });
      }
      members.push(indices);
    };
    for (const [partitionKey, indices] of byKey) {
      let aggregator = new RecordAggregator();
      let current: number[] = [];
      let bytes = 0;
      for (const index of indices) {
        const { data } = records[index] as OutgoingRecord;
        const user = { partitionKey, data: Buffer.isBuffer(data) ? data : Buffer.from(data) };
        const size = aggregator.calculateUserRecordSize(user);
        if (current.length > 0 && bytes + size > this.maxAggregateBytes) {
          emit(aggregator, current);
          aggregator = new RecordAggregator();
          current = [];
          bytes = 0;
        }
        aggregator.addUserRecord(user);
        current.push(index);
        bytes += size;
      }
      emit(aggregator, current);
    }
    return { packed, members };
  }
}
