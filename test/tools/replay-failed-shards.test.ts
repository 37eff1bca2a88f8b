import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { eventFailureRecord, serialiseFailureRecord } from '../../lambda/events/failure-record';
import { ensureStream } from '../../local/streams';
import { runReplayCli } from '../../tools/replay/replay-cli';
import { planDocument } from '../support/plan-collector';
import { readAllRecords } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

/** Fails with a message instead of waiting for jest's timeout when `run` does not finish in `ms`. */
function within<T>(ms: number, what: string, run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  return Promise.race([run, late]).finally(() => clearTimeout(timer));
}

describe('npm run replay-failed on a failed-events stream with a shard that holds nothing', () => {
  const kinesis = useTestKinesis();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-shards-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finishes, and writes an event refused twice (a client retry) to the main stream once, replayed twice', async () => {
    // Prepare: two shards in each stream; the failure record twice in the failed stream's first
    // shard (the client sent the event again), nothing in its second shard or in the main stream.
    const stream = 'replay-shards';
    await ensureStream(kinesis.client, stream, 2);
    await ensureStream(kinesis.client, `${stream}-failed`, 2);
    const event = {
      type: 'track',
      messageId: 'retried',
      userId: 'u1',
      event: 'Order Completed',
      properties: { orderId: 'b' },
    };
    const record = eventFailureRecord({
      failure: {
        reason: 'track "Order Completed" violates the tracking plan: properties.order_id is required',
        code: 'plan_violation',
        stage: 'tracking_plan',
      },
      message: event,
      index: 0,
      sourceId: 'shop',
      receivedAtIso: new Date().toISOString(),
      request: { path: '/v1/track', contentType: 'application/json', contentEncoding: null, bytes: 99 },
    });
    const copy = { Data: serialiseFailureRecord(record), PartitionKey: 'u1', ExplicitHashKey: '0' };
    await kinesis.client.send(
      new PutRecordsCommand({ StreamName: `${stream}-failed`, Records: [copy, copy] }),
    );
    const fixed = join(dir, 'fixed.json');
    const document = planDocument({
      endpoint: kinesis.endpoint,
      sourceId: 'shop',
      writeKey: 'k',
      streamName: stream,
      failedStreamName: `${stream}-failed`,
      required: [],
    });
    await writeFile(fixed, JSON.stringify(document));
    const replay = async () => {
      const lines: string[] = [];
      const args = ['--stream', `${stream}-failed`, '--since', '1h', '--config', fixed];
      const code = await runReplayCli(
        [...args, '--endpoint', kinesis.endpoint],
        {},
        { log: (line) => lines.push(line), progress: () => undefined },
      );
      return { code, output: lines.join('\n') };
    };

    // Act
    const first = await within(10_000, 'the first replay', replay());
    const second = await within(10_000, 'the second replay', replay());

    // Assess
    expect(first).toEqual({
      code: 0,
      output: 'replay-failed: read 2, replayed 1, already there 1, filtered 0, still failing 0',
    });
    expect(second).toEqual({
      code: 0,
      output: 'replay-failed: read 2, replayed 0, already there 2, filtered 0, still failing 0',
    });
    const main = await readAllRecords(kinesis.client, stream);
    expect(main.map((r) => r.json.event_id)).toEqual(['retried']);
    expect(main[0]?.json).toMatchObject({ source_id: 'shop', properties: { orderId: 'b' } });
  });
});
