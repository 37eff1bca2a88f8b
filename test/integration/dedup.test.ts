import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createCollector } from '../../lambda/collector';
import { DynamoDbSeenStore } from '../../lambda/delivery/dynamodb-seen-store';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { ensureStream } from '../../local/streams';
import { FileSpillSource } from '../../tools/redrive/file-spill-source';
import { redrive } from '../../tools/redrive/spill-redrive';
import { captureOutput } from '../support/assume-role-collector';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';
import { useTestDynalite } from '../support/test-dynalite';

const WRITE_KEY = 'dedup-key';
const AUTH = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };
let streams = 0;

/** A port nothing listens on: DynamoDB "stopped". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('deduplication by messageId', () => {
  const kinesis = useTestKinesis();
  const dynamo = useTestDynalite();

  /** The real entry (createCollector) with `dedup` on, its metrics counted by name. */
  async function startCollector(options: {
    dynamodbEndpoint?: string;
    streamName?: string;
    spillDir?: string;
  }) {
    const streamName = options.streamName ?? `dedup-${process.pid}-${++streams}`;
    if (options.streamName === undefined) await ensureStream(kinesis.client, streamName, 2);
    const metrics = new Metrics({ namespace: 'test', serviceName: 'test' });
    const counted: Record<string, number> = {};
    const addMetric = metrics.addMetric.bind(metrics);
    jest.spyOn(metrics, 'addMetric').mockImplementation((name, unit, value) => {
      counted[name] = (counted[name] ?? 0) + value;
      return addMetric(name, unit, value);
    });
    const handler = createCollector({
      env: {
        DEDUP_TABLE_NAME: dynamo.tableName,
        DYNAMODB_ENDPOINT: options.dynamodbEndpoint ?? dynamo.endpoint,
        AWS_REGION: 'us-east-1',
        ...(options.spillDir === undefined ? {} : { SPILL_DIR: options.spillDir }),
        COLLECTOR_CONFIG: JSON.stringify({
          sources: [{ id: 's', writeKeys: [WRITE_KEY], destinations: ['d'], dedup: { windowHours: 24 } }],
          destinations: [
            {
              id: 'd',
              streamName,
              region: 'us-east-1',
              endpoint: kinesis.endpoint,
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            },
          ],
          delivery: { budgetMs: 5000 },
        }),
      },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics,
    });
    const server = await startApiGatewayServer({ handler, port: 0 });
    const send = async (messageIds: readonly string[]) => {
      const answer = await fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: AUTH,
        body: JSON.stringify({
          batch: messageIds.map((messageId) => ({ type: 'track', messageId, userId: 'u', event: 'E' })),
        }),
      });
      return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    };
    const landed = async () =>
      (await readAllRecords(kinesis.client, streamName)).map((r) => String(r.json.event_id));
    return { streamName, counted, send, landed, close: () => server.close() };
  }

  const ids = (round: string, count: number) =>
    Array.from({ length: count }, (_, index) => `${round}-${index}`);

  it('lands 1,000 events each sent 3 times one after the other once each, answering 200 with the duplicates counted', async () => {
    // Prepare
    const collector = await startCollector({});
    const output = captureOutput();
    const batches = Array.from({ length: 10 }, (_, batch) => ids(`seq${batch}`, 100));
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    try {
      // Act: each batch, then its two retries
      for (const batch of batches) {
        for (let copy = 0; copy < 3; copy++) answers.push(await collector.send(batch));
      }
    } finally {
      output.restore();
      await collector.close();
    }

    // Assess
    const landed = await collector.landed();
    expect(landed).toHaveLength(1000);
    expect(new Set(landed).size).toBe(1000);
    expect(answers.every((answer) => answer.status === 200 && answer.body.accepted === 100)).toBe(true);
    expect(answers.map((answer) => answer.body.duplicates ?? 0)).toEqual(
      batches.flatMap(() => [0, 100, 100]),
    );
    expect(collector.counted.DuplicateEvents).toBe(2000);
    expect(collector.counted.DedupFailOpen).toBeUndefined();
  });

  it('writes every copy sent at the same time at least once, and measures how many land twice', async () => {
    // Prepare
    const collector = await startCollector({});
    const output = captureOutput();
    const batches = Array.from({ length: 5 }, (_, batch) => ids(`con${batch}`, 60));
    try {
      // Act: the three copies of each batch at once
      for (const batch of batches) {
        const answers = await Promise.all([0, 1, 2].map(() => collector.send(batch)));
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      }
    } finally {
      output.restore();
      await collector.close();
    }

    // Assess: nothing lost. Copies asked about before any of them is marked all land: sent at the
    // same instant, as here, that is every copy (docs/configuration.md, "dedup").
    const landed = await collector.landed();
    expect(new Set(landed).size).toBe(300);
    expect(landed.length).toBeGreaterThanOrEqual(300);
    expect(landed.length).toBeLessThanOrEqual(900);
  });

  it('writes every event when DynamoDB is stopped, and counts each as a fail-open', async () => {
    // Prepare
    const collector = await startCollector({ dynamodbEndpoint: `http://127.0.0.1:${await closedPort()}` });
    const output = captureOutput();
    let answers: { status: number }[];
    try {
      // Act
      answers = [await collector.send(ids('open', 50)), await collector.send(ids('open', 50))];
    } finally {
      output.restore();
      await collector.close();
    }

    // Assess: both copies land (no mark could be read or written), nothing is refused
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect((await collector.landed()).sort()).toEqual([...ids('open', 50), ...ids('open', 50)].sort());
    // Each request: 50 unchecked (seen) and 50 unmarked (mark).
    expect(collector.counted.DedupFailOpen).toBe(200);
    expect(collector.counted.DuplicateEvents).toBeUndefined();
  });

  it('drops a redriven copy of an event that landed, and writes and marks a spilled event that did not', async () => {
    // Prepare: the stream does not exist yet, so the request spills both events (marked `spill`)
    const spillDir = await mkdtemp(join(tmpdir(), 'dedup-spill-'));
    const streamName = `dedup-spill-${process.pid}`;
    const collector = await startCollector({ streamName, spillDir });
    const output = captureOutput();
    try {
      const spilled = await collector.send(['landed-later', 'only-spilled']);
      expect(spilled.status).toBe(200);
      await ensureStream(kinesis.client, streamName, 1);
      // The client's retry of one of them: durable in the spill store, so the collector drops it.
      const retried = await collector.send(['landed-later']);
      expect(retried).toMatchObject({ status: 200, body: { duplicates: 1 } });
    } finally {
      output.restore();
      await collector.close();
    }
    const store = new DynamoDbSeenStore({ client: dynamo.client, tableName: dynamo.tableName });
    const key = (messageId: string) => ({ sourceId: 's', messageId, destinationId: 'd' });
    expect(await store.seen([key('landed-later'), key('only-spilled')])).toEqual(['spill', 'spill']);
    // A copy of `landed-later` that another container wrote at the same time landed in the stream.
    await store.mark([{ key: key('landed-later'), where: 'stream', expiresAt: Date.now() / 1000 + 3600 }]);
    const writer: RecordWriter = new KinesisRecordWriter({
      client: kinesis.client,
      streamName,
      backoff: { baseDelayMs: 10, maxDelayMs: 100 },
    });

    // Act
    const summary = await redrive({
      source: new FileSpillSource(spillDir),
      writerFor: () => writer,
      seenStore: store,
    });

    // Assess
    expect(summary).toMatchObject({ read: 2, moved: 1, duplicates: 1, failed: 0 });
    expect(await collector.landed()).toEqual(['only-spilled']);
    expect(await store.seen([key('only-spilled')])).toEqual(['stream']);
    await rm(spillDir, { recursive: true, force: true });
  });
});
