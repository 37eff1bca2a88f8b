import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createCollector } from '../../lambda/collector';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import {
  createDynamoDbSuppressionList,
  DynamoDbSuppressionList,
} from '../../lambda/delivery/dynamodb-suppression-list';
import { FixedHashKey } from '../../lambda/delivery/hash-key';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { SUPPRESSION_MAX_AGE_MS, SuppressionCheck } from '../../lambda/delivery/suppression-check';
import { hashValue } from '../../lambda/events/field-rules';
import { hashSuppressedId } from '../../lambda/events/suppression';
import { SuppressionUnavailableError } from '../../lambda/http/http-error';
import { Ingest, type IngestOutcome } from '../../lambda/ingest/ingest';
import { recordIngestMetrics } from '../../lambda/observability/ingest-metrics';
import type { MetricSink } from '../../lambda/observability/metric-sink';
import { startApiGatewayServer } from '../../local/api-gateway-server';
import { ensureStream } from '../../local/streams';
import { startTestSecretsManager } from '../support/secrets-manager-server';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';
import { useTestDynalite } from '../support/test-dynalite';

const SOURCE_ID = 's';
const KEY = new FixedHashKey();
let streams = 0;

/** A port nothing listens on: DynamoDB "stopped". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The metrics an outcome publishes, summed by name (the in-process sink). */
function countedMetrics(outcome: IngestOutcome): Record<string, number> {
  const counted: Record<string, number> = {};
  const sink: MetricSink = {
    addMetric: (name, _unit, value) => {
      counted[name] = (counted[name] ?? 0) + value;
    },
    singleMetric: () => ({ addDimension: () => undefined, addMetric: () => undefined }),
  };
  recordIngestMetrics(sink, outcome, 0);
  return counted;
}

describe('user suppression', () => {
  const kinesis = useTestKinesis();
  // The suppression table has the dedup table's key schema (a string `id`), so the helper makes it.
  const dynamo = useTestDynalite('suppression-test');

  const config = parseRuntimeConfig({
    sources: [{ id: SOURCE_ID, writeKeys: ['k'], destinations: ['d'], suppression: { enabled: true } }],
    destinations: [{ id: 'd', streamName: 'unused', region: 'us-east-1' }],
  });
  const source = config.sources[0] as (typeof config.sources)[number];

  /** The ingest use case with a real stream (kinesalite) and a real suppression list (dynalite). */
  async function setUp(
    list = new DynamoDbSuppressionList({ client: dynamo.client, tableName: dynamo.tableName }),
  ) {
    const streamName = `suppression-${process.pid}-${++streams}`;
    await ensureStream(kinesis.client, streamName, 1);
    const clock = { now: 1_000_000 };
    const check = new SuppressionCheck({ list, key: KEY, now: () => clock.now });
    const writer = new KinesisRecordWriter({
      client: kinesis.client,
      streamName,
      backoff: config.delivery,
    });
    const ingest = new Ingest({
      writers: new Map([['d', writer]]),
      maxEventBytes: 1_000_000,
      suppression: check,
    });
    const send = (messages: object[]) =>
      ingest.ingest({
        source,
        messages,
        receivedAt: Date.now(),
        deadline: Date.now() + 5000,
      });
    const userIdsInStream = async () =>
      (await readAllRecords(kinesis.client, streamName)).map((record) => JSON.stringify(record.json));
    return { list, clock, send, userIdsInStream };
  }

  const track = (ids: { userId?: string; anonymousId?: string }, n: number) => ({
    type: 'track',
    event: 'Clicked',
    messageId: `m-${n}`,
    ...ids,
  });

  it('answers a suppressed userId’s events as accepted, keeps them out of the stream within the delay, and delivers again once removed', async () => {
    const { list, clock, send, userIdsInStream } = await setUp();
    const erased = { kind: 'userId' as const, hash: hashSuppressedId(await KEY.key(), 'u-erased') };
    // Read (not suppressed) and cached before the suppression is added.
    await send([track({ userId: 'u-erased' }, 1)]);

    await list.add(SOURCE_ID, erased);
    clock.now += SUPPRESSION_MAX_AGE_MS;
    const outcome = await send([track({ userId: 'u-erased' }, 2), track({ userId: 'u-kept' }, 3)]);

    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 2, suppressed: 1 });
    expect(countedMetrics(outcome)).toMatchObject({ EventsAccepted: 2, SuppressedEvents: 1 });
    let records = await userIdsInStream();
    expect(records.filter((r) => r.includes('m-2'))).toEqual([]);
    expect(records.filter((r) => r.includes('m-3'))).toHaveLength(1);

    await list.remove(SOURCE_ID, erased);
    clock.now += SUPPRESSION_MAX_AGE_MS;
    expect(await send([track({ userId: 'u-erased' }, 4)])).toMatchObject({ kind: 'delivered', accepted: 1 });
    records = await userIdsInStream();
    expect(records.filter((r) => r.includes('m-4'))).toHaveLength(1);
  });

  it('drops an event by its suppressed anonymousId, even one that would fail validation', async () => {
    const { list, send, userIdsInStream } = await setUp();
    await list.add(SOURCE_ID, { kind: 'anonymousId', hash: hashSuppressedId(await KEY.key(), 'a-erased') });

    const outcome = await send([
      track({ anonymousId: 'a-erased', userId: 'u-1' }, 5),
      { type: 'not-a-type', anonymousId: 'a-erased', messageId: 'm-6' },
    ]);

    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 2, suppressed: 2, rejected: [] });
    expect(await userIdsInStream()).toEqual([]);
  });

  it('keeps using what it read within the propagation delay, and reads again after it', async () => {
    const { list, clock, send } = await setUp();
    await send([track({ userId: 'u-late' }, 7)]);
    await list.add(SOURCE_ID, { kind: 'userId', hash: hashSuppressedId(await KEY.key(), 'u-late') });

    clock.now += SUPPRESSION_MAX_AGE_MS - 1;
    expect(await send([track({ userId: 'u-late' }, 8)])).not.toHaveProperty('suppressed');
    clock.now += 1;
    expect(await send([track({ userId: 'u-late' }, 9)])).toHaveProperty('suppressed', 1);
  });

  it('looks a request’s ids up in one call, and a repeated id not again within the delay', async () => {
    const real = new DynamoDbSuppressionList({ client: dynamo.client, tableName: dynamo.tableName });
    const calls: number[] = [];
    const counting = Object.assign(Object.create(real), {
      suppressed: (sourceId: string, ids: Parameters<typeof real.suppressed>[1]) => {
        calls.push(ids.length);
        return real.suppressed(sourceId, ids);
      },
    }) as DynamoDbSuppressionList;
    const { clock, send } = await setUp(counting);
    const batch = Array.from({ length: 20 }, (_, n) =>
      track({ userId: `u-${n}`, anonymousId: `a-${n}` }, 100 + n),
    );

    await send(batch);
    await send(batch);
    clock.now += SUPPRESSION_MAX_AGE_MS;
    await send(batch.slice(0, 5));

    expect(calls).toEqual([40, 10]);
  });

  it('refuses the whole request with 503 when the suppression list cannot be read (fail closed)', async () => {
    const unreachable = createDynamoDbSuppressionList({
      SUPPRESSION_TABLE_NAME: dynamo.tableName,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
    }) as DynamoDbSuppressionList;
    const { send, userIdsInStream } = await setUp(unreachable);

    const refused = send([track({ userId: 'u-any' }, 10)]);

    await expect(refused).rejects.toBeInstanceOf(SuppressionUnavailableError);
    await expect(refused).rejects.toMatchObject({ statusCode: 503, headers: { 'Retry-After': '5' } });
    expect(await userIdsInStream()).toEqual([]);
  });

  describe('through the deployed entry (createCollector) configured by its environment', () => {
    /** The real entry with a `suppression` source, its metrics counted by name. */
    async function startCollector(env: Record<string, string>, sourceSettings: Record<string, unknown> = {}) {
      const streamName = `suppression-entry-${process.pid}-${++streams}`;
      await ensureStream(kinesis.client, streamName, 1);
      const metrics = new Metrics({ namespace: 'test', serviceName: 'test' });
      const counted: Record<string, number> = {};
      const addMetric = metrics.addMetric.bind(metrics);
      jest.spyOn(metrics, 'addMetric').mockImplementation((name, unit, value) => {
        counted[name] = (counted[name] ?? 0) + value;
        return addMetric(name, unit, value);
      });
      const handler = createCollector({
        env: {
          AWS_REGION: 'us-east-1',
          ...env,
          COLLECTOR_CONFIG: JSON.stringify({
            sources: [
              {
                id: SOURCE_ID,
                writeKeys: ['wk'],
                destinations: ['d'],
                suppression: { enabled: true },
                ...sourceSettings,
              },
            ],
            destinations: [
              {
                id: 'd',
                streamName,
                region: 'us-east-1',
                endpoint: kinesis.endpoint,
                credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
              },
            ],
            delivery: { budgetMs: 3000 },
          }),
        },
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        metrics,
      });
      const server = await startApiGatewayServer({ handler, port: 0 });
      const send = (userId: string, properties: Record<string, unknown> = {}) =>
        fetch(`${server.url}/v1/track`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from('wk:').toString('base64')}` },
          body: JSON.stringify({
            type: 'track',
            event: 'E',
            userId,
            messageId: `entry-${userId}`,
            properties,
          }),
        });
      return { counted, send, streamName, close: () => server.close() };
    }

    it('answers 200 for a suppressed userId, writes nothing of it and counts SuppressedEvents', async () => {
      const list = new DynamoDbSuppressionList({ client: dynamo.client, tableName: dynamo.tableName });
      await list.add(SOURCE_ID, { kind: 'userId', hash: hashSuppressedId(await KEY.key(), 'u-entry') });
      const collector = await startCollector({
        SUPPRESSION_TABLE_NAME: dynamo.tableName,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
      });
      try {
        expect((await collector.send('u-entry')).status).toBe(200);
        expect((await collector.send('u-other')).status).toBe(200);

        const landed = (await readAllRecords(kinesis.client, collector.streamName)).map((r) =>
          JSON.stringify(r.json),
        );
        expect(landed.filter((r) => r.includes('entry-u-entry'))).toEqual([]);
        expect(landed.filter((r) => r.includes('entry-u-other'))).toHaveLength(1);
        expect(collector.counted.SuppressedEvents).toBe(1);
      } finally {
        collector.close();
      }
    });

    it('hashes suppressed ids and keyed fields with the one deployed hash key, read once from FIELD_HASH_KEY_SECRET_ARN', async () => {
      // Prepare: the deployment's key in a Secrets Manager stand-in; a suppression the operator's tool
      // would make with it (v1); a source that also hashes *.email with it.
      const secrets = await startTestSecretsManager();
      const keyArn = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:hash-key-AbCdEf';
      const deployedKey = { version: 'v1', secret: 'd'.repeat(64) };
      secrets.put(keyArn, JSON.stringify({ version: deployedKey.version, key: deployedKey.secret }));
      const list = new DynamoDbSuppressionList({ client: dynamo.client, tableName: dynamo.tableName });
      await list.add(SOURCE_ID, { kind: 'userId', hash: hashSuppressedId(deployedKey, 'u-keyed') });
      // A suppression made with the dev key suppresses nothing here: the deployed key is the only one.
      await list.add(SOURCE_ID, { kind: 'userId', hash: hashSuppressedId(await KEY.key(), 'u-dev') });
      const saved = { ...process.env };
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      const collector = await startCollector(
        {
          SUPPRESSION_TABLE_NAME: dynamo.tableName,
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          FIELD_HASH_KEY_SECRET_ARN: keyArn,
          AWS_LAMBDA_FUNCTION_NAME: 'collector',
        },
        { pipeline: { redact: { hash: ['*.email'] } } },
      );
      try {
        // Act
        const answers = [
          await collector.send('u-keyed', { email: 'keyed@example.com' }),
          await collector.send('u-dev', { email: 'Dev@Example.com' }),
        ];

        // Assess
        expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
        const landed = (await readAllRecords(kinesis.client, collector.streamName)).map((r) => r.json);
        expect(landed.map((record) => [record.event_id, record.properties])).toEqual([
          ['entry-u-dev', { email: hashValue('dev@example.com', 'hmac-sha256', deployedKey) }],
        ]);
        expect(JSON.stringify(landed)).toMatch(/"hmac-sha256:v1:[0-9a-f]{64}"/);
        expect(collector.counted.SuppressedEvents).toBe(1);
        expect(secrets.reads.get(keyArn)).toBe(1);
      } finally {
        collector.close();
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
        await secrets.stop();
      }
    });

    it('answers 503 with Retry-After when no suppression table is configured (fail closed)', async () => {
      const collector = await startCollector({});
      try {
        const answer = await collector.send('u-any');

        expect(answer.status).toBe(503);
        expect(answer.headers.get('retry-after')).toBe('5');
        expect(await readAllRecords(kinesis.client, collector.streamName)).toEqual([]);
        expect(collector.counted.SuppressionUnavailable).toBe(1);
      } finally {
        collector.close();
      }
    });
  });
});
