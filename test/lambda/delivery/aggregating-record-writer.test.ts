import { AggregatingRecordWriter } from '../../../lambda/delivery/aggregating-record-writer';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { deaggregate, isAggregated } from '../../support/stream-reader';

const event = (n: number, key: string, size = 200): OutgoingRecord => ({
  data: Buffer.from(JSON.stringify({ event_id: `e-${n}`, pad: 'x'.repeat(size) })),
  partitionKey: key,
});

/** An inner writer that keeps what it is given and fails the records `fail` picks. */
function recordingWriter(
  fail: (record: OutgoingRecord, index: number) => string | undefined = () => undefined,
) {
  const batches: OutgoingRecord[][] = [];
  const writer: RecordWriter = {
    write: async (records): Promise<WriteReport> => {
      batches.push([...records]);
      const failed = records.flatMap((record, index) => {
        const errorCode = fail(record, index);
        return errorCode === undefined ? [] : [{ index, errorCode, errorMessage: 'injected' }];
      });
      return { failed, calls: 1 };
    },
  };
  return { writer, batches };
}

const eventIdsIn = (record: OutgoingRecord) =>
  deaggregate(Buffer.from(record.data), record.partitionKey, '1').map(
    (user) => JSON.parse(user.data.toString()).event_id,
  );

describe('AggregatingRecordWriter', () => {
  it('packs the events of one partition key into one KPL record that deaggregates to every event, in order', async () => {
    const { writer, batches } = recordingWriter();
    const records = [event(0, 'u-1'), event(1, 'u-2'), event(2, 'u-1'), event(3, 'u-1')];

    const report = await new AggregatingRecordWriter(writer).write(records, Date.now() + 1000);

    expect(report.failed).toEqual([]);
    const written = batches[0] ?? [];
    expect(written).toHaveLength(2);
    const [userOne, userTwo] = written as [OutgoingRecord, OutgoingRecord];
    expect(isAggregated(Buffer.from(userOne.data))).toBe(true);
    expect(userOne.partitionKey).toBe('u-1');
    expect(eventIdsIn(userOne)).toEqual(['e-0', 'e-2', 'e-3']);
    // A key with one event stays a plain record.
    expect(isAggregated(Buffer.from(userTwo.data))).toBe(false);
    expect(eventIdsIn(userTwo)).toEqual(['e-1']);
  });

  it('starts a new aggregated record before one would pass the size limit', async () => {
    const { writer, batches } = recordingWriter();
    const records = Array.from({ length: 10 }, (_, n) => event(n, 'u-1', 1000));

    await new AggregatingRecordWriter(writer, 3_500).write(records, Date.now() + 1000);

    const written = batches[0] ?? [];
    expect(written.map((record) => eventIdsIn(record).length)).toEqual([3, 3, 3, 1]);
    for (const record of written) expect(record.data.byteLength).toBeLessThanOrEqual(3_500 + 64);
    expect(written.flatMap(eventIdsIn)).toEqual(records.map((_, n) => `e-${n}`));
  });

  it('reports every event of a failed aggregated record as failed, by its own index', async () => {
    const { writer } = recordingWriter((record) =>
      record.partitionKey === 'u-1' ? 'ProvisionedThroughputExceededException' : undefined,
    );
    const records = [event(0, 'u-1'), event(1, 'u-2'), event(2, 'u-1')];

    const report = await new AggregatingRecordWriter(writer).write(records, Date.now() + 1000);

    expect(report.failed.map((failure) => [failure.index, failure.errorCode])).toEqual([
      [0, 'ProvisionedThroughputExceededException'],
      [2, 'ProvisionedThroughputExceededException'],
    ]);
  });
});
