import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { createCollectorApi } from '../../../lambda/http/collector-api';
import { outcomeResponse } from '../../../lambda/http/outcome-response';
import { Ingest } from '../../../lambda/ingest/ingest';
import type { DimensionedMetricSink, MetricSink } from '../../../lambda/observability/metric-sink';
import { ensureStream } from '../../../local/streams';
import { readAllRecords } from '../../support/stream-reader';
import { useTestKinesis } from '../../support/test-collector';

const KEY = 'durability-key';
const CONTEXT = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'durability' } as unknown as Context;

const kinesis = useTestKinesis();
let streams = 0;

/**
 * A kinesalite stream's writer with faults to force: it refuses (per call, with an error code),
 * throws, or holds every write until released when told to, and writes to the stream otherwise.
 */
class FaultyStream implements RecordWriter {
  private readonly stream: KinesisRecordWriter;
  calls = 0;
  refuse: (call: number) => string | undefined = () => undefined;
  throwOn: (call: number) => Error | undefined = () => undefined;
  private held: Promise<void> | undefined;
  private releaseHeld: () => void = () => undefined;

  constructor(readonly streamName: string) {
    this.stream = new KinesisRecordWriter({
      client: kinesis.client,
      streamName,
      backoff: { baseDelayMs: 10, maxDelayMs: 100 },
    });
  }

  hold(): void {
    this.held = new Promise((resolve) => {
      this.releaseHeld = resolve;
    });
  }

  release(): void {
    this.releaseHeld();
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const call = ++this.calls;
    await this.held;
    const error = this.throwOn(call);
    if (error !== undefined) throw error;
    const errorCode = this.refuse(call);
    if (errorCode !== undefined) {
      return {
        failed: records.map((_, index) => ({ index, errorCode, errorMessage: 'injected' })),
        calls: 1,
      };
    }
    return this.stream.write(records, deadline);
  }

  /** What the stream holds. */
  async json(): Promise<Record<string, unknown>[]> {
    return (await readAllRecords(kinesis.client, this.streamName)).map((record) => record.json);
  }
}

/** The in-process metrics sink: every metric added, with its dimension when it has one. */
class RecordingSink implements MetricSink {
  readonly metrics: { name: string; value: number; dimension?: [string, string] }[] = [];
  addMetric(name: string, _unit: unknown, value: number): void {
    this.metrics.push({ name, value });
  }
  singleMetric(): DimensionedMetricSink {
    let dimension: [string, string] | undefined;
    return {
      addDimension: (name, value) => {
        dimension = [name, value];
      },
      addMetric: (name, _unit, value) => {
        this.metrics.push({ name, value, ...(dimension === undefined ? {} : { dimension }) });
      },
    };
  }
  named(name: string) {
    return this.metrics.filter((metric) => metric.name === name);
  }
}

/**
 * A collector whose source writes to `destinations` (ids `a`, `b`, ...), each a fresh one-shard
 * stream of kinesalite with its failed-events stream.
 */
async function collector(destinationIds: readonly string[] = ['a']) {
  const prefix = `durability-${++streams}`;
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: [KEY], destinations: [...destinationIds] }],
    destinations: destinationIds.map((id) => ({
      id,
      streamName: `${prefix}-${id}`,
      region: 'us-east-1',
      failedStreamName: `${prefix}-${id}-failed`,
    })),
  });
  const stream = async (name: string) => {
    await ensureStream(kinesis.client, name, 1);
    return new FaultyStream(name);
  };
  const main = new Map<string, FaultyStream>();
  const failed = new Map<string, FaultyStream>();
  for (const { id, streamName, failedStreamName } of config.destinations) {
    main.set(id, await stream(streamName));
    failed.set(id, await stream(failedStreamName as string));
  }
  const metrics = new RecordingSink();
  const api = createCollectorApi({
    config,
    writers: main,
    failedWriters: failed,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics,
  });
  const post = (body: string, path = '/v1/batch') =>
    api(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: '',
        headers: {
          authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`,
          'content-type': 'application/json',
        },
        requestContext: {
          http: { method: 'POST', path, sourceIp: '198.51.100.7' },
        } as APIGatewayProxyEventV2['requestContext'],
        body,
        isBase64Encoded: false,
      },
      CONTEXT,
    );
  return {
    post,
    metrics,
    source: config.sources[0] as RuntimeSource,
    main: (id = 'a') => main.get(id) as FaultyStream,
    failed: (id = 'a') => failed.get(id) as FaultyStream,
  };
}

/** The status a request is answered with: its own, or the `statusCode` of what it threw. */
async function statusOf(answer: Promise<{ statusCode?: number }>): Promise<number | string> {
  try {
    return (await answer).statusCode ?? 200;
  } catch (error) {
    const { statusCode } = error as { statusCode?: number };
    return statusCode ?? `thrown: ${(error as Error).message}`;
  }
}

/** Whether `promise` is still pending after every queued task and a few event-loop turns. */
async function isPending(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

const UNPARSEABLE = '{"batch":[{"type":"track"';
const valid = { type: 'track', messageId: 'ok', userId: 'u1', event: 'Signed Up' };
const noIds = { type: 'track', messageId: 'no-ids', event: 'Signed Up' };

describe('the failure record of a request that cannot be parsed (sent with a valid write key)', () => {
  it('answers 400 only once the body is durably in the failed-events stream, never before', async () => {
    // Prepare
    const c = await collector();
    c.failed().hold();

    // Act
    const answer = statusOf(c.post(UNPARSEABLE));
    const pendingWhileWriting = await isPending(answer);
    c.failed().release();

    // Assess
    expect(pendingWhileWriting).toBe(true);
    expect(await answer).toBe(400);
    expect(await c.failed().json()).toEqual([
      expect.objectContaining({
        raw: UNPARSEABLE,
        failure: expect.objectContaining({ code: 'unparseable' }),
      }),
    ]);
  });

  it('answers 503, not 400, when the failed-events stream refuses the body, so the SDK sends it again', async () => {
    const c = await collector();
    c.failed().refuse = () => 'InternalFailure';

    expect(await statusOf(c.post(UNPARSEABLE))).toBe(503);
  });

  it('answers 429 when the failed-events stream throttles the body', async () => {
    const c = await collector();
    c.failed().refuse = () => 'ProvisionedThroughputExceededException';

    expect(await statusOf(c.post(UNPARSEABLE))).toBe(429);
  });

  it('fails the request with the writer’s error, not a 400, when the failed-stream writer throws', async () => {
    const c = await collector();
    c.failed().throwOn = () => new Error('failed-stream writer broke');

    expect(await statusOf(c.post(UNPARSEABLE))).toBe('thrown: failed-stream writer broke');
  });

  it('keeps the body in the failed-events stream of every destination, and answers 503 when the second refuses it', async () => {
    // Prepare
    const kept = await collector(['a', 'b']);
    const refusedBySecond = await collector(['a', 'b']);
    refusedBySecond.failed('b').refuse = () => 'InternalFailure';

    // Act
    const keptStatus = await statusOf(kept.post(UNPARSEABLE));
    const refusedStatus = await statusOf(refusedBySecond.post(UNPARSEABLE));

    // Assess
    expect(keptStatus).toBe(400);
    expect((await kept.failed('a').json()).map((r) => r.raw)).toEqual([UNPARSEABLE]);
    expect((await kept.failed('b').json()).map((r) => r.raw)).toEqual([UNPARSEABLE]);
    expect(refusedStatus).toBe(503);
  });
});

describe('the failure records of refused events', () => {
  it('answers only once the refused event is durably in the failed-events stream, never before', async () => {
    const c = await collector();
    c.failed().hold();

    const answer = statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })));
    const pendingWhileWriting = await isPending(answer);
    c.failed().release();

    expect(pendingWhileWriting).toBe(true);
    expect(await answer).toBe(200);
    expect((await c.failed().json()).map((r) => r.event_id)).toEqual(['no-ids']);
  });

  it('fails the request with the writer’s error, never a 200, when the failed-stream writer throws', async () => {
    const c = await collector();
    c.failed().throwOn = () => new Error('failed-stream writer broke');

    expect(await statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })))).toBe(
      'thrown: failed-stream writer broke',
    );
    expect((await c.main().json()).map((r) => r.event_id)).toEqual(['ok']);
  });

  it('writes each refused event to the failed-events stream of every destination of its source', async () => {
    const c = await collector(['a', 'b']);

    const status = await statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })));

    expect(status).toBe(200);
    expect((await c.failed('a').json()).map((r) => r.event_id)).toEqual(['no-ids']);
    expect((await c.failed('b').json()).map((r) => r.event_id)).toEqual(['no-ids']);
    expect((await c.main('b').json()).map((r) => r.event_id)).toEqual(['ok']);
  });

  it('answers 503 when the second destination’s failed-events stream refuses, though the first kept it', async () => {
    const c = await collector(['a', 'b']);
    c.failed('b').refuse = () => 'InternalFailure';

    expect(await statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })))).toBe(503);
    expect(await c.failed('a').json()).toHaveLength(1);
  });

  it('answers 503 when the first destination’s failed-events stream refuses, though the second kept it', async () => {
    const c = await collector(['a', 'b']);
    c.failed('a').refuse = () => 'InternalFailure';

    expect(await statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })))).toBe(503);
  });
});

describe('failure records in a request written in several ingest windows', () => {
  /** Ingest in windows of 2 messages, one at a time; a batch of 6 with a refused event in each window. */
  async function windows(refuseOnCall: number) {
    const c = await collector();
    c.failed().refuse = (call) => (call === refuseOnCall ? 'InternalFailure' : undefined);
    const ingest = new Ingest({
      writers: new Map([['a', c.main()]]),
      failedWriters: new Map([['a', c.failed()]]),
      maxEventBytes: 4096,
      window: { events: 2, bytes: 1024 * 1024, inFlight: 1 },
    });
    const messages = [0, 1, 2].flatMap((n) => [
      { ...valid, messageId: `ok-${n}` },
      { ...noIds, messageId: `no-ids-${n}` },
    ]);
    const outcome = await ingest.ingest({
      source: c.source,
      messages,
      receivedAt: Date.now(),
      deadline: Date.now() + 1000,
    });
    return { c, outcome };
  }

  it('answers 503 when the failed-events stream refuses the failure record of a later window', async () => {
    const { c, outcome } = await windows(3);

    expect(c.failed().calls).toBe(3);
    expect(outcome).toMatchObject({
      kind: 'undelivered',
      undelivered: [{ destinationId: 'a', failedStream: true, count: 1 }],
    });
    expect(() => outcomeResponse(outcome, 1)).toThrow(expect.objectContaining({ statusCode: 503 }));
  });

  it('answers 503 when the first window’s failure record is refused and the later ones are kept', async () => {
    const { c, outcome } = await windows(1);

    expect((await c.failed().json()).map((r) => r.event_id)).toEqual(['no-ids-1', 'no-ids-2']);
    expect(outcome).toMatchObject({ kind: 'undelivered', undelivered: [{ failedStream: true, count: 1 }] });
  });

  it('fails the request when the failed-stream writer throws in a later window', async () => {
    const c = await collector();
    c.failed().throwOn = (call) => (call === 2 ? new Error('broke in window 2') : undefined);
    const ingest = new Ingest({
      writers: new Map([['a', c.main()]]),
      failedWriters: new Map([['a', c.failed()]]),
      maxEventBytes: 4096,
      window: { events: 2, bytes: 1024 * 1024, inFlight: 2 },
    });

    const run = ingest.ingest({
      source: c.source,
      messages: [valid, noIds, valid, noIds, valid, noIds],
      receivedAt: Date.now(),
      deadline: Date.now() + 1000,
    });

    await expect(run).rejects.toThrow('broke in window 2');
  });
});

describe('the FailedEvents metric (what the failed-rate alarm divides by EventsAccepted)', () => {
  it('is published in total and by code once refused events are durably kept', async () => {
    const c = await collector();
    const tooLarge = { ...valid, messageId: 'big', properties: { blob: 'x'.repeat(40_000) } };

    await statusOf(
      c.post(JSON.stringify({ batch: [valid, noIds, { ...noIds, messageId: 'n2' }, tooLarge] })),
    );

    expect(c.metrics.named('FailedEvents')).toEqual(
      expect.arrayContaining([
        { name: 'FailedEvents', value: 3 },
        { name: 'FailedEvents', value: 2, dimension: ['code', 'missing_id'] },
        { name: 'FailedEvents', value: 1, dimension: ['code', 'too_large'] },
      ]),
    );
    expect(c.metrics.named('FailedEvents')).toHaveLength(3);
  });

  it('is published for a kept unparseable request, with code unparseable', async () => {
    const c = await collector();

    await statusOf(c.post(UNPARSEABLE));

    expect(c.metrics.named('FailedEvents')).toEqual([
      { name: 'FailedEvents', value: 1, dimension: ['code', 'unparseable'] },
      { name: 'FailedEvents', value: 1 },
    ]);
  });

  it('is not published when the failure records are not durable (the client sends them again)', async () => {
    const c = await collector();
    c.failed().refuse = () => 'InternalFailure';

    await statusOf(c.post(JSON.stringify({ batch: [valid, noIds] })));
    await statusOf(c.post(UNPARSEABLE));

    expect(c.metrics.named('FailedEvents')).toEqual([]);
  });
});
