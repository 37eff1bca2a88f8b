import { SQSClient } from '@aws-sdk/client-sqs';
import { fromSpillMessage, type SpilledRecord } from '../../../lambda/delivery/spill-store';
import { chunkMessages, SqsSpillStore } from '../../../lambda/delivery/sqs-spill-store';
import { startTestSqs, type TestSqs } from '../../support/sqs-server';

const record = (n: number, bytes = 40): SpilledRecord => ({
  destinationId: 'kinesis',
  partitionKey: `user-${n}`,
  data: Buffer.from(JSON.stringify({ event_id: `e-${n}`, pad: 'x'.repeat(bytes) })),
  eventId: `e-${n}`,
  failedAt: '2024-05-01T00:00:00.000Z',
  errorCode: 'ProvisionedThroughputExceededException',
});

describe('SqsSpillStore', () => {
  let sqs: TestSqs;
  let client: SQSClient;
  beforeEach(async () => {
    sqs = await startTestSqs();
    client = new SQSClient({
      region: 'us-east-1',
      endpoint: sqs.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await sqs.stop();
  });

  it('sends one message per record with every field, in calls of at most 10', async () => {
    const store = new SqsSpillStore({ client, queueUrl: sqs.queueUrl('spill') });
    const records = Array.from({ length: 25 }, (_, n) => record(n));

    const report = await store.spill(records, Date.now() + 5000);

    expect(report.failed).toEqual([]);
    expect(sqs.calls.get('SendMessageBatch')).toBe(3);
    const stored = sqs.bodies('spill').map(fromSpillMessage);
    expect(stored.map((r) => r.eventId).sort()).toEqual(records.map((r) => r.eventId).sort());
    expect(JSON.parse(sqs.bodies('spill')[0] as string)).toEqual({
      destinationId: 'kinesis',
      partitionKey: expect.any(String),
      data: expect.any(String),
      eventId: expect.any(String),
      failedAt: '2024-05-01T00:00:00.000Z',
      errorCode: 'ProvisionedThroughputExceededException',
    });
    expect(Buffer.from(stored[0]?.data ?? []).toString()).toContain('"event_id"');
  });

  it('sends again the entries SQS refused alone, until they are stored', async () => {
    let refusals = 5;
    sqs.entryFault = () => (refusals-- > 0 ? { code: 'InternalError', senderFault: false } : undefined);
    const store = new SqsSpillStore({ client, queueUrl: sqs.queueUrl('spill') });

    const report = await store.spill(
      [1, 2, 3, 4, 5, 6, 7].map((n) => record(n)),
      Date.now() + 5000,
    );

    expect(report.failed).toEqual([]);
    expect(sqs.bodies('spill')).toHaveLength(7);
  });

  it('reports sender faults at once and whole-call failures after the deadline, by index', async () => {
    sqs.entryFault = (body) =>
      body.includes('"e-1"') ? { code: 'InvalidMessageContents', senderFault: true } : undefined;
    const store = new SqsSpillStore({ client, queueUrl: sqs.queueUrl('spill') });
    const report = await store.spill([record(0), record(1), record(2)], Date.now() + 2000);
    expect(report.failed).toEqual([
      { index: 1, errorCode: 'InvalidMessageContents', errorMessage: 'injected' },
    ]);

    sqs.callFault = () => 500;
    const down = await store.spill([record(3), record(4)], Date.now() + 300);
    expect(down.failed.map((f) => f.index)).toEqual([0, 1]);
    expect(sqs.bodies('spill')).toHaveLength(2);
  });

  it('refuses a message over the queue limit without sending it', async () => {
    const store = new SqsSpillStore({ client, queueUrl: sqs.queueUrl('spill'), maxMessageBytes: 2048 });
    const report = await store.spill([record(0), record(1, 4000)], Date.now() + 2000);
    expect(report.failed).toEqual([expect.objectContaining({ index: 1, errorCode: 'MessageTooLong' })]);
  });

  it('keeps each call within 10 messages and 1 MiB of bodies', () => {
    const sizes = [600_000, 600_000, 10, ...Array.from({ length: 12 }, () => 10)];
    const chunks = chunkMessages(
      sizes,
      sizes.map((_, i) => i),
    );
    expect(chunks.map((c) => c.length)).toEqual([1, 10, 4]);
    for (const chunk of chunks) {
      expect(chunk.reduce((sum, i) => sum + (sizes[i] ?? 0), 0)).toBeLessThanOrEqual(1_048_576);
    }
  });
});
