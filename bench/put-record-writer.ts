import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type {
  FailedRecord,
  OutgoingRecord,
  RecordWriter,
  WriteReport,
} from '../lambda/delivery/record-writer';

/**
 * The peer style inside a function: one `PutRecord` call per event, all of a request's calls in
 * parallel, no retries (how a per-event destination writes). Used only to compare Lambda duration
 * and API calls with our `PutRecords` writer.
 */
export class PutRecordPerEventWriter implements RecordWriter {
  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
  ) {}

  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    const failed: FailedRecord[] = [];
    await Promise.all(
      records.map(async (record, index) => {
        try {
          await this.client.send(
            new PutRecordCommand({
              StreamName: this.streamName,
              Data: record.data,
              PartitionKey: record.partitionKey,
            }),
          );
        } catch (error) {
          failed.push({ index, errorCode: (error as Error).name, errorMessage: (error as Error).message });
        }
      }),
    );
    return { failed, calls: records.length };
  }
}
