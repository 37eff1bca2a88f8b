import { setTimeout as sleep } from 'node:timers/promises';
import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { DEFAULT_INGEST_WINDOW, Ingest, type IngestWindow } from '../../../lambda/ingest/ingest';

/** Keeps every write it is given, each taking `delayMs`; counts how many run at once. */
class SlowWriter implements RecordWriter {
  readonly writes: OutgoingRecord[][] = [];
  inFlight = 0;
  mostInFlight = 0;
  constructor(
    private readonly delayMs = 5,
    private readonly failWith?: (write: number) => string | undefined,
  ) {}
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    const write = this.writes.length;
    this.writes.push([...records]);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await sleep(this.delayMs);
    this.inFlight--;
    const errorCode = this.failWith?.(write);
    if (errorCode === undefined) return { failed: [], calls: 1 };
    return { failed: records.map((_, index) => ({ index, errorCode, errorMessage: 'injected' })), calls: 1 };
  }
  eventIds(): string[] {
    return this.writes.flat().map((record) => JSON.parse(Buffer.from(record.data).toString('utf8')).event_id);
  }
}

const track = (i: number) => ({
  type: 'track',
  event: 'Order Completed',
  userId: `u-${i}`,
  messageId: `m-${i}`,
});

function setup(window: IngestWindow, writer: SlowWriter, failed?: SlowWriter) {
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: ['k'], destinations: ['d'] }],
    destinations: [
      {
        id: 'd',
        streamName: 'events',
        region: 'us-east-1',
        ...(failed === undefined ? {} : { failedStreamName: 'events-failed' }),
      },
    ],
  });
  const ingest = new Ingest({
    writers: new Map([['d', writer]]),
    ...(failed === undefined ? {} : { failedWriters: new Map([['d', failed]]) }),
    maxEventBytes: 32 * 1024,
    window,
  });
  const source = config.sources[0] as RuntimeSource;
  return (messages: unknown[], releaseMessages?: boolean) =>
    ingest.ingest({
      source,
      messages,
      receivedAt: Date.now(),
      deadline: Date.now() + 5000,
      ...(releaseMessages === undefined ? {} : { releaseMessages }),
    });
}

describe('Ingest writes a large request in windows', () => {
  it('writes every event once, in order, in windows of at most the window size and never more windows at once than allowed', async () => {
    // Arrange
    const writer = new SlowWriter();
    const ingest = setup({ events: 10, bytes: 1024 * 1024, inFlight: 2 }, writer);
    const messages = Array.from({ length: 95 }, (_, i) => track(i));

    // Act
    const outcome = await ingest(messages);

    // Assess
    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 95 });
    expect(writer.eventIds()).toEqual(messages.map((message) => message.messageId));
    expect(writer.writes.map((records) => records.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    expect(writer.mostInFlight).toBe(2);
  });

  it('closes a window when its records reach the byte limit, before the event limit', async () => {
    // Arrange
    const writer = new SlowWriter(0);
    const ingest = setup({ events: 500, bytes: 1000, inFlight: 4 }, writer);

    // Act
    await ingest(Array.from({ length: 20 }, (_, i) => track(i)));

    // Assess: each record is ~400 bytes, so a window holds 3 (the third passes the limit).
    expect(writer.writes.length).toBeGreaterThan(1);
    for (const records of writer.writes.slice(0, -1)) {
      const bytes = records.reduce((sum, record) => sum + record.data.byteLength, 0);
      expect(bytes).toBeGreaterThanOrEqual(1000);
      expect(bytes - (records.at(-1)?.data.byteLength ?? 0)).toBeLessThan(1000);
    }
  });

  it('answers undelivered with the failures of every window added up when some windows fail', async () => {
    // Arrange: the second and fourth windows are throttled.
    const writer = new SlowWriter(1, (write) =>
      write === 1 || write === 3 ? 'ProvisionedThroughputExceededException' : undefined,
    );
    const ingest = setup({ events: 10, bytes: 1024 * 1024, inFlight: 3 }, writer);

    // Act
    const outcome = await ingest(Array.from({ length: 45 }, (_, i) => track(i)));

    // Assess
    expect(outcome).toMatchObject({
      kind: 'undelivered',
      accepted: 45,
      throttled: true,
      undelivered: [
        { destinationId: 'd', count: 20, errorCodes: ['ProvisionedThroughputExceededException'] },
      ],
    });
  });

  it('keeps refused events in the failed-events stream window by window, with the same answer as in one write', async () => {
    // Arrange: every third message has no user or anonymous id.
    const writer = new SlowWriter(1);
    const failed = new SlowWriter(1);
    const ingest = setup({ events: 10, bytes: 1024 * 1024, inFlight: 2 }, writer, failed);
    const messages = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0 ? { type: 'track', event: 'No Ids', messageId: `m-${i}` } : track(i),
    );

    // Act
    const outcome = await ingest(messages);

    // Assess
    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 20, keptInFailedStream: true });
    expect(outcome.rejected.map((rejection) => rejection.index)).toEqual([
      0, 3, 6, 9, 12, 15, 18, 21, 24, 27,
    ]);
    expect(writer.writes.flat()).toHaveLength(20);
    expect(failed.writes.flat()).toHaveLength(10);
    expect(failed.writes.length).toBeGreaterThan(1);
  });

  it('answers nothing-valid without writing to the events stream when no message of any window is valid', async () => {
    // Arrange
    const writer = new SlowWriter(0);
    const ingest = setup({ events: 2, bytes: 1024 * 1024, inFlight: 2 }, writer);

    // Act
    const outcome = await ingest([{ type: 'track' }, { type: 'track' }, { type: 'track' }]);

    // Assess
    expect(outcome).toMatchObject({ kind: 'nothing-valid', allTooLarge: false });
    expect(writer.writes).toHaveLength(0);
  });

  it('clears each message from the list once it is prepared when the caller hands the messages over, and leaves them otherwise', async () => {
    // Arrange
    const ingest = setup(DEFAULT_INGEST_WINDOW, new SlowWriter(0));
    const handedOver = [track(1), track(2)];
    const kept = [track(1), track(2)];

    // Act
    await ingest(handedOver, true);
    await ingest(kept);

    // Assess
    expect(handedOver).toEqual([undefined, undefined]);
    expect(kept).toEqual([track(1), track(2)]);
  });

  it('fails the request only once every window already being written is over when one write throws', async () => {
    // Arrange: a destination without a writer makes its write throw.
    const writer = new SlowWriter(20);
    const config = parseRuntimeConfig({
      sources: [{ id: 'web', writeKeys: ['k'], destinations: ['d', 'missing'] }],
      destinations: [
        { id: 'd', streamName: 'events', region: 'us-east-1' },
        { id: 'missing', streamName: 'other', region: 'us-east-1' },
      ],
    });
    const ingest = new Ingest({
      writers: new Map([['d', writer]]),
      maxEventBytes: 32 * 1024,
      window: { events: 5, bytes: 1024 * 1024, inFlight: 2 },
    });

    // Act
    const result = ingest.ingest({
      source: config.sources[0] as RuntimeSource,
      messages: Array.from({ length: 12 }, (_, i) => track(i)),
      receivedAt: Date.now(),
      deadline: Date.now() + 5000,
    });

    // Assess
    await expect(result).rejects.toThrow('No writer for destination "missing"');
    expect(writer.inFlight).toBe(0);
  });
});
