import { DeduplicatingRecordWriter } from '../../../lambda/delivery/deduplicating-record-writer';
import { DynamoDbSeenStore } from '../../../lambda/delivery/dynamodb-seen-store';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import type { SeenStore } from '../../../lambda/delivery/seen-store';
import { useTestDynalite } from '../../support/test-dynalite';

const record = (messageId: string, dedup = true): OutgoingRecord => ({
  data: Buffer.from(JSON.stringify({ event_id: messageId })),
  partitionKey: 'u',
  ...(dedup ? { dedup: { sourceId: 's', messageId, windowSeconds: 3600 } } : {}),
});

/** The destination's writer, forced to refuse or spill some records by their position in what it gets. */
function writerThat(outcome: { failed?: number[]; spilled?: number[] }) {
  const given: string[][] = [];
  const writer: RecordWriter = {
    write: async (records): Promise<WriteReport> => {
      given.push(records.map((r) => JSON.parse(Buffer.from(r.data).toString()).event_id));
      return {
        calls: 1,
        failed: (outcome.failed ?? []).map((index) => ({
          index,
          errorCode: 'InternalFailure',
          errorMessage: 'x',
        })),
        spilled: outcome.spilled ?? [],
      };
    },
  };
  return { writer, given };
}

describe('DeduplicatingRecordWriter against dynalite', () => {
  const dynamo = useTestDynalite('dedup-writer-test');
  const key = (messageId: string) => ({ sourceId: 's', messageId, destinationId: 'd' });
  const storeOf = () => new DynamoDbSeenStore({ client: dynamo.client, tableName: dynamo.tableName });

  it('drops the marked record, reports failures and spills by the caller’s positions, and marks only what is durable', async () => {
    // Prepare: b is already in the stream; of a, c, d the writer refuses c and spills d.
    const store = storeOf();
    await store.mark([{ key: key('b'), where: 'stream', expiresAt: Date.now() / 1000 + 3600 }]);
    const inner = writerThat({ failed: [1], spilled: [2] });
    const duplicates: number[] = [];
    const writer = new DeduplicatingRecordWriter({
      writer: inner.writer,
      destinationId: 'd',
      store,
      onDuplicates: (count) => duplicates.push(count),
    });

    // Act
    const report = await writer.write(
      [record('a'), record('b'), record('c'), record('d'), record('e', false)],
      Date.now() + 5000,
    );

    // Assess
    expect(inner.given).toEqual([['a', 'c', 'd', 'e']]);
    expect(report.failed.map((failure) => failure.index)).toEqual([2]);
    expect(report.spilled).toEqual([3]);
    expect(report.duplicates).toBe(1);
    expect(duplicates).toEqual([1]);
    expect(await store.seen([key('a'), key('b'), key('c'), key('d'), key('e')])).toEqual([
      'stream',
      'stream',
      undefined,
      'spill',
      undefined,
    ]);
  });

  it('keeps a record only spilled in redrive mode (dropWhen stream), and drops one in the stream', async () => {
    // Prepare
    const store = storeOf();
    await store.mark([
      { key: key('spilled-only'), where: 'spill', expiresAt: Date.now() / 1000 + 3600 },
      { key: key('landed'), where: 'stream', expiresAt: Date.now() / 1000 + 3600 },
    ]);
    const inner = writerThat({});
    const writer = new DeduplicatingRecordWriter({
      writer: inner.writer,
      destinationId: 'd',
      store,
      dropWhen: 'stream',
    });

    // Act
    const report = await writer.write([record('spilled-only'), record('landed')], Date.now() + 5000);

    // Assess
    expect(inner.given).toEqual([['spilled-only']]);
    expect(report.duplicates).toBe(1);
    expect(await store.seen([key('spilled-only')])).toEqual(['stream']);
  });

  it('writes every record and counts the fail-open when the seen store throws, and never fails the write', async () => {
    // Prepare: a store that cannot be reached (forced fault)
    const broken: SeenStore = {
      seen: () => Promise.reject(new Error('ECONNREFUSED')),
      mark: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const inner = writerThat({});
    const failOpen: [string, number][] = [];
    const writer = new DeduplicatingRecordWriter({
      writer: inner.writer,
      destinationId: 'd',
      store: broken,
      onFailOpen: (stage, count) => failOpen.push([stage, count]),
    });

    // Act
    const report = await writer.write([record('x'), record('y')], Date.now() + 5000);

    // Assess
    expect(inner.given).toEqual([['x', 'y']]);
    expect(report.failed).toEqual([]);
    expect(failOpen).toEqual([
      ['seen', 2],
      ['mark', 2],
    ]);
  });
});
