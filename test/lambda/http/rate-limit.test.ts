import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { createHandler } from '../../../lambda/handler';
import { createCollectorApi } from '../../../lambda/http/collector-api';
import type { DimensionedMetricSink, MetricSink } from '../../../lambda/observability/metric-sink';

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0);
const ORIGIN = 'https://shop.example.com';

/** A writer that writes everything and keeps each record's source, as the stream would. */
class RecordingWriter implements RecordWriter {
  readonly sources: string[] = [];
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    for (const record of records) {
      this.sources.push(
        (JSON.parse(Buffer.from(record.data).toString('utf8')) as { source_id: string }).source_id,
      );
    }
    return { failed: [], calls: 1 };
  }
  count(sourceId: string): number {
    return this.sources.filter((source) => source === sourceId).length;
  }
}

/** The in-process metrics sink: every metric added, by name. */
class RecordingSink implements MetricSink {
  readonly names: string[] = [];
  addMetric(name: string): void {
    this.names.push(name);
  }
  singleMetric(): DimensionedMetricSink {
    return { addDimension: () => undefined, addMetric: (name) => this.names.push(name) };
  }
  count(name: string): number {
    return this.names.filter((each) => each === name).length;
  }
}

const context = { getRemainingTimeInMillis: () => 30_000, awsRequestId: 'rate-limit' } as unknown as Context;
const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
const track = (n: number) => ({ userId: `u-${n}`, event: 'Order Completed', messageId: `m-${n}` });

/** A `/v1/batch` request of `events` events from a browser page, the write key in the Authorization header. */
function batchRequest(writeKey: string, events: number): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/batch',
    rawQueryString: '',
    headers: { authorization: basic(writeKey), 'content-type': 'application/json', origin: ORIGIN },
    requestContext: {
      http: { method: 'POST', path: '/v1/batch', sourceIp: '127.0.0.1' },
    } as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify({
      batch: Array.from({ length: events }, (_, n) => ({ type: 'track', ...track(n) })),
    }),
    isBase64Encoded: false,
  };
}

/** A `/v1/t` request as analytics.js sends it: text/plain, the write key in the body. */
function bodyKeyRequest(writeKey: string): APIGatewayProxyEventV2 {
  return {
    ...batchRequest(writeKey, 1),
    rawPath: '/v1/t',
    headers: { 'content-type': 'text/plain', origin: ORIGIN },
    body: JSON.stringify({ ...track(1), writeKey }),
  };
}

/** Source `runaway` (2 events/s, burst 3, `status` as given) and source `steady` (no limit). */
function configWith(status?: 429 | 503): RuntimeConfigInput {
  return {
    sources: [
      {
        id: 'runaway',
        writeKeys: ['runaway-key'],
        destinations: ['k'],
        rateLimit: { eventsPerSecond: 2, burst: 3, ...(status === undefined ? {} : { status }) },
      },
      { id: 'steady', writeKeys: ['steady-key'], destinations: ['k'] },
    ],
    destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
  };
}

/** The Lambda handler (CORS and error middlewares included) over a recording writer, on a clock the test moves. */
function collector(status?: 429 | 503) {
  const clock = { now: T0 };
  const writer = new RecordingWriter();
  const handler = createHandler({
    config: parseRuntimeConfig(configWith(status)),
    writers: new Map([['k', writer]]),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    now: () => clock.now,
  });
  const send = async (request: APIGatewayProxyEventV2) =>
    (await handler(request, context)) as APIGatewayProxyStructuredResultV2;
  return { clock, writer, send };
}

describe('per-source rate limits (rateLimit on a source)', () => {
  it('answers a source over its limit 429 with Retry-After and X-RateLimit-Reset, both exposed to the page', async () => {
    // Arrange: a batch of 3 empties the bucket of 3.
    const { send } = collector();
    expect((await send(batchRequest('runaway-key', 3))).statusCode).toBe(200);

    // Act
    const refused = await send(batchRequest('runaway-key', 1));

    // Assess: 2 events/s, so a token is back in 500 ms: 1 whole second, at T0 + 0.5 s rounded up.
    expect(refused.statusCode).toBe(429);
    expect(refused.headers).toMatchObject({
      'Retry-After': '1',
      'X-RateLimit-Reset': String(Math.ceil((T0 + 500) / 1000)),
      'Access-Control-Allow-Origin': '*',
    });
    const exposed = String(refused.headers?.['Access-Control-Expose-Headers']).split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(['Retry-After', 'X-RateLimit-Reset']));
    expect(JSON.parse(refused.body ?? '{}').error).toMatch(/source "runaway" is over its rate limit/i);
  });

  it('keeps answering another source 200 while one is refused', async () => {
    // Arrange
    const { send, writer } = collector();
    await send(batchRequest('runaway-key', 3));
    expect((await send(batchRequest('runaway-key', 1))).statusCode).toBe(429);

    // Act
    const answers = [];
    for (let n = 0; n < 20; n++) answers.push((await send(batchRequest('steady-key', 5))).statusCode);

    // Assess
    expect(answers.every((status) => status === 200)).toBe(true);
    expect(writer.count('steady')).toBe(100);
  });

  it('writes none of a refused request and every event of an admitted one, a batch larger than the burst included', async () => {
    // Arrange
    const { send, writer, clock } = collector();

    // Act: 10 events against a bucket of 3 are admitted whole; 3 - 10 = -7 tokens are owed.
    const big = await send(batchRequest('runaway-key', 10));
    clock.now = T0 + 1_000;
    const owing = await send(batchRequest('runaway-key', 2));
    clock.now = T0 + 4_000;
    const repaid = await send(batchRequest('runaway-key', 2));

    // Assess: -5 tokens after 1 s, a token 3 s away; -7 + 8 = 1 after 4 s.
    expect(big.statusCode).toBe(200);
    expect(owing.statusCode).toBe(429);
    expect(owing.headers?.['Retry-After']).toBe('3');
    expect(repaid.statusCode).toBe(200);
    expect(writer.count('runaway')).toBe(12);
  });

  it('limits a source whose write key is in the body (analytics.js text/plain) as well', async () => {
    // Arrange
    const { send } = collector();
    const statuses = [];

    // Act
    for (let n = 0; n < 4; n++) statuses.push((await send(bodyKeyRequest('runaway-key'))).statusCode);

    // Assess
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('answers 503 with the same headers when the source sets rateLimit.status: 503', async () => {
    // Arrange
    const { send } = collector(503);
    await send(batchRequest('runaway-key', 3));

    // Act
    const refused = await send(batchRequest('runaway-key', 1));

    // Assess
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toBe('1');
    expect(refused.headers?.['X-RateLimit-Reset']).toBe(String(Math.ceil((T0 + 500) / 1000)));
  });

  it('logs a warning naming the source once per spell over its limit, not once per refused request', async () => {
    // Arrange
    const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
    const warn = jest.spyOn(logger, 'warn');
    const clock = { now: T0 };
    const handler = createHandler({
      config: parseRuntimeConfig(configWith(503)),
      writers: new Map([['k', new RecordingWriter()]]),
      logger,
      now: () => clock.now,
    });
    const send = async () =>
      (await handler(batchRequest('runaway-key', 3), context)) as { statusCode: number };
    const statuses: number[] = [];

    // Act: refused three times, admitted 2 s later (the bucket full again), then refused again.
    for (let n = 0; n < 4; n++) statuses.push((await send()).statusCode);
    clock.now = T0 + 2_000;
    statuses.push((await send()).statusCode, (await send()).statusCode);

    // Assess
    expect(statuses).toEqual([200, 503, 503, 503, 200, 503]);
    const spells = warn.mock.calls.filter(([message]) => String(message).includes('over its rate limit'));
    expect(spells).toHaveLength(2);
    expect(spells[0]?.[1]).toMatchObject({ sourceId: 'runaway', eventsPerSecond: 2, burst: 3, status: 503 });
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('counts each refused request in RateLimitedRequests, and no admitted one', async () => {
    // Arrange
    const metrics = new RecordingSink();
    const api = createCollectorApi({
      config: parseRuntimeConfig(configWith()),
      writers: new Map([['k', new RecordingWriter()]]),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      now: () => T0,
      metrics,
    });
    const statuses: number[] = [];

    // Act
    for (let n = 0; n < 5; n++) {
      statuses.push(
        await api(batchRequest('runaway-key', 1), context).then(
          (answer) => answer.statusCode ?? 0,
          (error: { statusCode: number }) => error.statusCode,
        ),
      );
    }

    // Assess
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(metrics.count('RateLimitedRequests')).toBe(2);
  });
});
