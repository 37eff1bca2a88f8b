import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';

/** A record read back from the stream, with the shard it landed in. */
export interface StoredRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly data: Buffer;
  /** `data` parsed as JSON. */
  readonly json: Record<string, unknown>;
}

/** Every record in every shard of the stream, from the start (TRIM_HORIZON). */
export async function readAllRecords(client: KinesisClient, streamName: string): Promise<StoredRecord[]> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  const records: StoredRecord[] = [];
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
        const data = Buffer.from(record.Data ?? new Uint8Array());
        records.push({
          shardId,
          partitionKey: record.PartitionKey as string,
          sequenceNumber: record.SequenceNumber as string,
          data,
          json: JSON.parse(data.toString('utf8')),
        });
      }
      if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}
