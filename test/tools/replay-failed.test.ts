import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbSeenStore } from '../../lambda/delivery/dynamodb-seen-store';
import { ensureStream } from '../../local/streams';
import { runReplayCli } from '../../tools/replay/replay-cli';
import {
  basicAuth,
  type PlanCollectorSettings,
  planDocument,
  startPlanCollector,
} from '../support/plan-collector';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';
import { useTestDynalite } from '../support/test-dynalite';

const KEY = 'replay-key';

const settings = (
  endpoint: string,
  required: string[],
  streamName = 'replay-events',
): PlanCollectorSettings => ({
  endpoint,
  sourceId: 'shop',
  writeKey: KEY,
  streamName,
  failedStreamName: `${streamName}-failed`,
  required,
});

describe('npm run replay-failed', () => {
  const kinesis = useTestKinesis();
  const dynamo = useTestDynalite();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the events a fixed plan now accepts to the main stream once, and reports what still fails', async () => {
    // Prepare: a collector whose plan wants order_id; the client sends orderId instead.
    await ensureStream(kinesis.client, 'replay-events', 1);
    await ensureStream(kinesis.client, 'replay-events-failed', 1);
    const collector = await startPlanCollector(settings(kinesis.endpoint, ['order_id']));
    const batch = [
      {
        type: 'track',
        messageId: 'ok',
        userId: 'u1',
        event: 'Order Completed',
        properties: { order_id: 'a' },
      },
      {
        type: 'track',
        messageId: 'camel',
        userId: 'u2',
        event: 'Order Completed',
        properties: { orderId: 'b' },
      },
      { type: 'track', userId: 'u3', event: 'Order Completed', properties: { orderId: 'c' } },
      { type: 'track', messageId: 'no-ids', event: 'Order Completed', properties: { order_id: 'd' } },
    ];
    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(KEY) },
      body: JSON.stringify({ batch }),
    });
    await collector.close();
    expect(((await response.json()) as { accepted: number }).accepted).toBe(1);
    const fixed = join(dir, 'fixed.json');
    await writeFile(fixed, JSON.stringify(planDocument(settings(kinesis.endpoint, []))));
    const args = [
      '--stream',
      'replay-events-failed',
      '--since',
      '1h',
      '--config',
      fixed,
      '--endpoint',
      kinesis.endpoint,
    ];
    const run = async (extra: string[] = []) => {
      const lines: string[] = [];
      const code = await runReplayCli(
        [...args, ...extra],
        {},
        { log: (l) => lines.push(l), progress: () => undefined },
      );
      return { code, output: lines.join('\n') };
    };

    // Act: a dry run, the replay, and the same replay again.
    const dry = await run(['--dry-run']);
    const afterDry = await readAllRecords(kinesis.client, 'replay-events');
    const first = await run();
    const second = await run();

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.output).toContain(
      'replayed 2, already there 0, filtered 0, still failing 1 (dry run: nothing written)',
    );
    expect(afterDry).toHaveLength(1);
    expect(first.code).toBe(0);
    expect(first.output).toContain('read 3, replayed 2, already there 0, filtered 0, still failing 1');
    expect(first.output).toContain(
      'Still failing:\n  1 × userId or anonymousId is required (empty strings count as absent)',
    );
    expect(second.output).toContain('read 3, replayed 0, already there 2, filtered 0, still failing 1');
    const main = await readAllRecords(kinesis.client, 'replay-events');
    const failed = await readAllRecords(kinesis.client, 'replay-events-failed');
    const generatedId = failed.find((r) => (r.json.payload as { messageId?: string }).messageId === undefined)
      ?.json.event_id;
    expect(main.map((r) => r.json.event_id).sort()).toEqual(['camel', 'ok', generatedId].sort());
    expect(main.find((r) => r.json.event_id === 'camel')?.json).toMatchObject({
      source_id: 'shop',
      properties: { orderId: 'b' },
      received_at: failed[0]?.json.received_at,
    });
  });

  it('drops a replayed event of a dedup source whose messageId is marked in the main stream, and marks the one it writes', async () => {
    // Prepare: two events refused by the plan; a copy of one landed in the main stream meanwhile (marked).
    const stream = 'replay-dedup';
    await ensureStream(kinesis.client, stream, 1);
    await ensureStream(kinesis.client, `${stream}-failed`, 1);
    const collector = await startPlanCollector(settings(kinesis.endpoint, ['order_id'], stream));
    const refused = (messageId: string) => ({
      type: 'track',
      messageId,
      userId: 'u',
      event: 'Order Completed',
      properties: { orderId: messageId },
    });
    await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(KEY) },
      body: JSON.stringify({ batch: [refused('landed'), refused('only-failed')] }),
    });
    await collector.close();
    const store = new DynamoDbSeenStore({ client: dynamo.client, tableName: dynamo.tableName });
    const key = (messageId: string) => ({ sourceId: 'shop', messageId, destinationId: 'd' });
    await store.mark([{ key: key('landed'), where: 'stream', expiresAt: Date.now() / 1000 + 3600 }]);
    const document = planDocument(settings(kinesis.endpoint, [], stream));
    const fixed = join(dir, 'dedup.json');
    await writeFile(
      fixed,
      JSON.stringify({
        ...document,
        sources: document.sources.map((s) => ({ ...s, dedup: { windowHours: 1 } })),
      }),
    );
    const lines: string[] = [];

    // Act
    const code = await runReplayCli(
      [
        ...[
          '--stream',
          `${stream}-failed`,
          '--since',
          '1h',
          '--config',
          fixed,
          '--endpoint',
          kinesis.endpoint,
        ],
        ...['--dedup-table', dynamo.tableName, '--dynamodb-endpoint', dynamo.endpoint],
      ],
      {},
      { log: (l) => lines.push(l), progress: () => undefined },
    );

    // Assess
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('read 2, replayed 1, already there 1');
    expect((await readAllRecords(kinesis.client, stream)).map((r) => r.json.event_id)).toEqual([
      'only-failed',
    ]);
    expect(await store.seen([key('only-failed')])).toEqual(['stream']);
  });

  it('corrects a replayed event’s timestamp with its batch’s sentAt, as the ingest did for its valid neighbour, and gives a /v1/track event its type', async () => {
    // Prepare: a client whose clock is an hour ahead; one batch of a valid and a violating event
    // with the same timestamp (no sentAt of their own), and a violating /v1/track call without type.
    const stream = 'replay-sent-at';
    await ensureStream(kinesis.client, stream, 1);
    await ensureStream(kinesis.client, `${stream}-failed`, 1);
    const collector = await startPlanCollector(settings(kinesis.endpoint, ['order_id'], stream));
    const clientNow = Date.now() + 3_600_000;
    const timestamp = new Date(clientNow - 2_000).toISOString();
    const order = { type: 'track', event: 'Order Completed', timestamp };
    const post = (path: string, body: unknown) =>
      fetch(`${collector.url}${path}`, {
        method: 'POST',
        headers: { authorization: basicAuth(KEY) },
        body: JSON.stringify(body),
      });
    const batch = await post('/v1/batch', {
      sentAt: new Date(clientNow).toISOString(),
      batch: [
        { ...order, messageId: 'valid', userId: 'u1', properties: { order_id: 'a' } },
        { ...order, messageId: 'skewed', userId: 'u1', properties: { orderId: 'b' } },
      ],
    });
    const track = await post('/v1/track', {
      messageId: 'untyped',
      userId: 'u2',
      event: 'Order Completed',
      properties: { orderId: 'c' },
    });
    await collector.close();
    expect([batch.status, track.status]).toEqual([200, 400]);
    const fixed = join(dir, 'fixed-sent-at.json');
    await writeFile(fixed, JSON.stringify(planDocument(settings(kinesis.endpoint, [], stream))));

    // Act
    const lines: string[] = [];
    const code = await runReplayCli(
      ['--stream', `${stream}-failed`, '--since', '1h', '--config', fixed, '--endpoint', kinesis.endpoint],
      {},
      { log: (line) => lines.push(line), progress: () => undefined },
    );

    // Assess
    expect({ code, output: lines.join('\n') }).toMatchObject({
      code: 0,
      output: expect.stringContaining('read 2, replayed 2, already there 0, filtered 0, still failing 0'),
    });
    const main = new Map(
      (await readAllRecords(kinesis.client, stream)).map((record) => [record.json.event_id, record.json]),
    );
    const valid = main.get('valid');
    const skewed = main.get('skewed');
    expect(valid?.timestamp).not.toBe(timestamp);
    expect(skewed).toMatchObject({
      timestamp: valid?.timestamp,
      original_timestamp: timestamp,
      sent_at: valid?.sent_at,
      received_at: valid?.received_at,
    });
    expect(main.get('untyped')).toMatchObject({ type: 'track', event: 'Order Completed', user_id: 'u2' });
  });

  it('refuses to run without --since, with exit status 2 from the command', async () => {
    await expect(
      runReplayCli(['--stream', 'x'], {}, { log: () => undefined, progress: () => undefined }),
    ).rejects.toThrow('--since TIME is required (e.g. --since 1h)');
  });
});
