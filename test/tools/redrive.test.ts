import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FileSpillStore } from '../../lambda/delivery/file-spill-store';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import type { SpilledRecord } from '../../lambda/delivery/spill-store';
import { SqsSpillStore } from '../../lambda/delivery/sqs-spill-store';
import { emulatorClient } from '../../local/local-mode';
import { ensureStream } from '../../local/streams';
import { FileSpillSource } from '../../tools/redrive/file-spill-source';
import { redrive } from '../../tools/redrive/spill-redrive';
import { SqsSpillSource } from '../../tools/redrive/sqs-spill-source';
import { runNpmScript } from '../support/run-npm-script';
import { startTestSqs, type TestSqs } from '../support/sqs-server';
import { readAllRecords } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

const spilled = (n: number, destinationId = 'kinesis'): SpilledRecord => ({
  destinationId,
  partitionKey: `user-${n % 7}`,
  data: Buffer.from(JSON.stringify({ event_id: `e-${n}`, n })),
  eventId: `e-${n}`,
  failedAt: '2024-05-01T00:00:00.000Z',
  errorCode: 'ProvisionedThroughputExceededException',
});

describe('redrive', () => {
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let client: ReturnType<typeof emulatorClient>;
  let dir: string;
  let streamName: string;
  let writer: RecordWriter;
  let counter = 0;
  beforeAll(async () => {
    kinesis = await startTestKinesis();
    client = emulatorClient(kinesis.endpoint, 'us-east-1');
  });
  afterAll(async () => {
    client.destroy();
    await kinesis.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'redrive-'));
    streamName = `redrive-${++counter}`;
    await ensureStream(client, streamName, 2);
    writer = new KinesisRecordWriter({ client, streamName, backoff: { baseDelayMs: 10, maxDelayMs: 100 } });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('moves every spilled event from the spill files into the stream once, then removes the files', async () => {
    const store = new FileSpillStore(dir);
    await store.spill(
      [0, 1, 2, 3, 4].map((n) => spilled(n)),
      0,
    );
    // A client retry spilled event 2 and 3 a second time.
    await store.spill(
      [2, 3, 5].map((n) => spilled(n)),
      0,
    );
    const progress: number[] = [];

    const summary = await redrive({
      source: new FileSpillSource(dir),
      writerFor: () => writer,
      onProgress: (s) => progress.push(s.read),
    });

    expect(summary).toEqual({ read: 8, moved: 6, duplicates: 2, failed: 0, unreadable: 0 });
    expect(progress).toEqual([5, 8]);
    const ids = (await readAllRecords(client, streamName)).map((r) => r.json.event_id).sort();
    expect(ids).toEqual(['e-0', 'e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps what the stream refused (and later copies of it) for the next run', async () => {
    await new FileSpillStore(dir).spill(
      [0, 1, 2, 1].map((n) => spilled(n)),
      0,
    );
    const refusing: RecordWriter = {
      write: async (records, deadline) => {
        const report = await writer.write(
          records.filter((r) => !Buffer.from(r.data).includes('"e-1"')),
          deadline,
        );
        const failed = records.flatMap((r, index) =>
          Buffer.from(r.data).includes('"e-1"')
            ? [{ index, errorCode: 'InternalFailure', errorMessage: 'x' }]
            : [],
        );
        return { failed, calls: report.calls };
      },
    };

    const first = await redrive({ source: new FileSpillSource(dir), writerFor: () => refusing });
    expect(first).toEqual({ read: 4, moved: 2, duplicates: 0, failed: 2, unreadable: 0 });

    const second = await redrive({ source: new FileSpillSource(dir), writerFor: () => writer });
    expect(second).toEqual({ read: 2, moved: 1, duplicates: 1, failed: 0, unreadable: 0 });
    const ids = (await readAllRecords(client, streamName)).map((r) => r.json.event_id).sort();
    expect(ids).toEqual(['e-0', 'e-1', 'e-2']);
  });

  describe('from the SQS spill queue', () => {
    let sqs: TestSqs;
    let sqsClient: SQSClient;
    beforeEach(async () => {
      sqs = await startTestSqs();
      sqsClient = new SQSClient({
        region: 'us-east-1',
        endpoint: sqs.endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
    });
    afterEach(async () => {
      sqsClient.destroy();
      await sqs.stop();
    });

    it('moves messages into the stream and deletes only those Kinesis acknowledged', async () => {
      const queueUrl = sqs.queueUrl('spill');
      const store = new SqsSpillStore({ client: sqsClient, queueUrl });
      const records = Array.from({ length: 45 }, (_, n) => spilled(n));
      expect(
        (await store.spill([...records, spilled(7), spilled(8, 'unknown-destination')], Date.now() + 5000))
          .failed,
      ).toEqual([]);

      const summary = await redrive({
        source: new SqsSpillSource({ client: sqsClient, queueUrl, batchSize: 20, waitTimeSeconds: 0 }),
        writerFor: (id) => (id === 'kinesis' ? writer : undefined),
      });

      expect(summary).toEqual({ read: 47, moved: 45, duplicates: 1, failed: 1, unreadable: 0 });
      expect(await readAllRecords(client, streamName)).toHaveLength(45);
      expect(sqs.bodies('spill').map((body) => JSON.parse(body).destinationId)).toEqual([
        'unknown-destination',
      ]);
    });
  });

  it('runs as npm run redrive on the spill directory and prints its summary', async () => {
    await new FileSpillStore(dir).spill(
      [0, 1, 2].map((n) => spilled(n)),
      0,
    );

    const { code, output } = await runNpmScript('redrive', [
      '--spill-dir',
      dir,
      '--stream',
      streamName,
      '--endpoint',
      kinesis.endpoint,
    ]);

    expect(code).toBe(0);
    expect(output).toContain('moved 3, duplicates skipped 0, failed 0');
    expect(JSON.parse(output.split('REDRIVE_SUMMARY ')[1]?.split('\n')[0] as string)).toEqual({
      read: 3,
      moved: 3,
      duplicates: 0,
      failed: 0,
      unreadable: 0,
    });
    expect(await readAllRecords(client, streamName)).toHaveLength(3);
  });
});
