import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { ensureStream } from '../../local/streams';
import type { ShardRecord } from '../../tools/tail/shard-reader';
import { tailStream } from '../../tools/tail/stream-tail';
import { useTestKinesis } from '../support/test-collector';
import { envelope, eventually, putEnvelopes } from './tail-support';

const idOf = (record: ShardRecord) =>
  JSON.parse(Buffer.from(record.data).toString('utf8')).event_id as string;

describe('tailStream across a resharding', () => {
  const kinesis = useTestKinesis();

  /** Splits the stream's only shard in two and waits until the stream is ACTIVE again. */
  async function splitOnlyShard(stream: string): Promise<void> {
    const { Shards = [] } = await kinesis.client.send(new ListShardsCommand({ StreamName: stream }));
    const shard = Shards[0];
    const start = BigInt(shard?.HashKeyRange?.StartingHashKey ?? '0');
    const end = BigInt(shard?.HashKeyRange?.EndingHashKey ?? '0');
    await kinesis.client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: shard?.ShardId,
        NewStartingHashKey: ((start + end) / 2n).toString(),
      }),
    );
    await ensureStream(kinesis.client, stream, 1);
  }

  it('reads a closed parent before its children, so every record of a key comes out in order', async () => {
    const stream = `reshard-${process.pid}-1`;
    await ensureStream(kinesis.client, stream, 1);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'a1', userId: 'ann' }),
      envelope({ id: 'b1', userId: 'bob' }),
    ]);
    await splitOnlyShard(stream);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'a2', userId: 'ann' }),
      envelope({ id: 'b2', userId: 'bob' }),
    ]);
    const seen: ShardRecord[] = [];

    await tailStream({
      client: kinesis.client,
      streamName: stream,
      start: { type: 'TRIM_HORIZON' },
      follow: false,
      signal: new AbortController().signal,
      onRecords: (records) => {
        seen.push(...records);
      },
    });

    expect(seen.map(idOf).sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    const order = seen.map(idOf);
    expect(order.indexOf('a1')).toBeLessThan(order.indexOf('a2'));
    expect(order.indexOf('b1')).toBeLessThan(order.indexOf('b2'));
    expect(new Set(seen.map((record) => record.shardId)).size).toBeGreaterThan(1);
  }, 30_000);

  it('follows the children of a shard that closes while it is being read', async () => {
    const stream = `reshard-${process.pid}-2`;
    await ensureStream(kinesis.client, stream, 1);
    const seen: ShardRecord[] = [];
    const stop = new AbortController();
    let ready = false;
    const tail = tailStream({
      client: kinesis.client,
      streamName: stream,
      start: { type: 'LATEST' },
      follow: true,
      signal: stop.signal,
      pollMs: 100,
      onReady: () => {
        ready = true;
      },
      onRecords: (records) => {
        seen.push(...records);
      },
    });
    await eventually('the tail is reading', () => ready);

    await putEnvelopes(kinesis.client, stream, [envelope({ id: 'before-split', userId: 'ann' })]);
    await splitOnlyShard(stream);
    await putEnvelopes(kinesis.client, stream, [
      envelope({ id: 'after-split-1', userId: 'ann' }),
      envelope({ id: 'after-split-2', userId: 'zed' }),
    ]);
    await eventually('the records written to the children are read', () => seen.length === 3);
    stop.abort();
    await tail;

    expect(seen.map(idOf)).toEqual(
      expect.arrayContaining(['before-split', 'after-split-1', 'after-split-2']),
    );
    expect(seen.map(idOf)[0]).toBe('before-split');
  }, 30_000);
});
