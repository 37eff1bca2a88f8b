import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { deaggregateSync } from 'aws-kinesis-agg/lib/kpl-deagg';
import { isAggregated } from '../../tools/tail/decode-record';

/** A record read back from the stream (an event of it, for KPL aggregated records), with its shard. */
export interface StoredRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly data: Buffer;
  /** `data` parsed as JSON. */
  readonly json: Record<string, unknown>;
}

export { isAggregated };

/** The user records in a Kinesis record: itself, or the events of a KPL aggregated record. */
export function deaggregate(
  data: Buffer,
  partitionKey: string,
  sequenceNumber: string,
): { partitionKey: string; data: Buffer }[] {
  if (!isAggregated(data)) return [{ partitionKey, data }];
  let users: { partitionKey: string; data: Buffer }[] = [];
  deaggregateSync({ data: data.toString('base64'), partitionKey, sequenceNumber }, true, (error, records) => {
    if (error) throw error;
    users = (records ?? []).map((user) => ({
      partitionKey: user.partitionKey,
      data: Buffer.from(user.data, 'base64'),
    }));
  });
  return users;
}

/** A Kinesis record as stored: one per PutRecords entry, aggregated or not. */
export interface RawRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly data: Buffer;
}

/** Every Kinesis record in every shard of the stream, from the start (TRIM_HORIZON), as stored. */
export async function readRawRecords(client: KinesisClient, streamName: string): Promise<RawRecord[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const records: RawRecord[] = [];
  for (const shard of Shards) {
    const shardId = shard.ShardId as string;
    let { ShardIterator: iterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        records.push({
          shardId,
          partitionKey: record.PartitionKey as string,
          sequenceNumber: record.SequenceNumber as string,
          data: Buffer.from(record.Data ?? new Uint8Array()),
        });
      }
      // kinesalite reports MillisBehindLatest 0 on every page: read until a page comes back empty.
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/** Every event in every shard of the stream, from the start; KPL aggregated records deaggregated. */
export async function readAllRecords(client: KinesisClient, streamName: string): Promise<StoredRecord[]> {
  return (await readRawRecords(client, streamName)).flatMap((raw) =>
    deaggregate(raw.data, raw.partitionKey, raw.sequenceNumber).map((user) => ({
      ...raw,
      partitionKey: user.partitionKey,
      data: user.data,
      json: JSON.parse(user.data.toString('utf8')) as Record<string, unknown>,
    })),
  );
}
