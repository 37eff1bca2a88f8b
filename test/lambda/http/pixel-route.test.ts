import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { createCollectorApi } from '../../../lambda/http/collector-api';
import { httpErrorResponse } from '../../../lambda/http/error-response';
import { HttpError } from '../../../lambda/http/http-error';
import type { MetricSink } from '../../../lambda/observability/metric-sink';

const WRITE_KEY = 'pixel-write-key';
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const CONTEXT = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'pixel' } as unknown as Context;
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** A writer that keeps what it is given, or fails every record when told to. */
class MemoryWriter implements RecordWriter {
  readonly records: unknown[] = [];
  failing = false;
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    if (this.failing) {
      return {
        failed: records.map((record) => ({ record, errorCode: 'InternalFailure', spillFailed: true })),
        calls: 1,
      } as unknown as WriteReport;
    }
    for (const record of records) this.records.push(JSON.parse(Buffer.from(record.data).toString('utf8')));
    return { failed: [], calls: 1 };
  }
}

function pixelRequest(path: string, query: Record<string, string>, method = 'GET'): APIGatewayProxyEventV2 {
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers: { 'user-agent': 'Mail/1.0' },
    queryStringParameters: query,
    requestContext: {
      http: { method, path, sourceIp: '203.0.113.9' },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
  };
}

function collector(
  options: {
    writeKeys?: { sourceOf(key: string): Promise<never> };
    rateLimit?: { eventsPerSecond: number; burst: number };
  } = {},
) {
  const events = new MemoryWriter();
  const failed = new MemoryWriter();
  const lost: number[] = [];
  const metrics = {
    addMetric: (name: string, _unit: string, value: number) => {
      if (name === 'PixelEventsLost') lost.push(value);
    },
    singleMetric: () => ({ addDimension: () => undefined, addMetric: () => undefined }),
  } as unknown as MetricSink;
  const api = createCollectorApi({
    config: parseRuntimeConfig({
      sources: [
        {
          id: 'email',
          writeKeys: [WRITE_KEY],
          destinations: ['k'],
          ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
        },
      ],
      destinations: [{ id: 'k', streamName: 's', region: 'us-east-1', failedStreamName: 's-failed' }],
    }),
    writers: new Map([['k', events]]),
    failedWriters: new Map([['k', failed]]),
    logger,
    metrics,
    now: () => NOW,
    ...(options.writeKeys ? { writeKeys: options.writeKeys } : {}),
  });
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpErrorResponse({ logger }))
    .handler(api);
  const send = (event: APIGatewayProxyEventV2) =>
    handler(event, CONTEXT) as Promise<APIGatewayProxyStructuredResultV2>;
  return { send, events, failed, lost };
}

const data = (event: object) => Buffer.from(JSON.stringify(event)).toString('base64url');

function expectGif(answer: APIGatewayProxyStructuredResultV2): void {
  expect(answer.statusCode).toBe(200);
  expect(answer.headers).toMatchObject({
    'Content-Type': 'image/gif',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
  });
  expect(
    Buffer.from(answer.body as string, 'base64')
      .subarray(0, 6)
      .toString(),
  ).toBe('GIF89a');
}

describe('pixel routes', () => {
  it('writes the event of a Segment pixel once, with context.ip and userAgent from the request, and answers the GIF', async () => {
    // Prepare
    const { send, events } = collector();

    // Act
    const answer = await send(
      pixelRequest('/v1/pixel/track', {
        data: data({ writeKey: WRITE_KEY, userId: 'u-1', event: 'Email Opened', messageId: 'm-1' }),
      }),
    );

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(1);
    expect(JSON.stringify(events.records[0])).toContain('Email Opened');
    expect(JSON.stringify(events.records[0])).toContain('Mail/1.0');
  });

  it("writes RudderStack's pixel under a stage prefix, taking the write key from the query", async () => {
    // Prepare
    const { send, events } = collector();

    // Act
    const answer = await send(
      pixelRequest('/prod/pixel/v1/page', { writeKey: WRITE_KEY, anonymousId: 'a-1', name: 'Home' }),
    );

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(1);
    expect(events.records[0]).toMatchObject({
      type: 'page',
      sent_at: '2026-12-06T12:00:00.000Z',
      original_timestamp: '2026-12-06T12:00:00.000Z',
    });
  });

  it('answers HEAD with the GIF and records nothing', async () => {
    // Prepare
    const { send, events, failed } = collector();

    // Act
    const answer = await send(
      pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY, userId: 'u-1', event: 'x' }, 'HEAD'),
    );

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(0);
    expect(failed.records).toHaveLength(0);
  });

  it('answers a pixel whose data is not base64 with the GIF and keeps it in the failed-events stream with its reason', async () => {
    // Prepare
    const { send, events, failed } = collector();

    // Act
    const answer = await send(pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY, data: '!!!' }));

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(0);
    expect(failed.records).toHaveLength(1);
    expect(JSON.stringify(failed.records[0])).toContain('\\"data\\" is not base64');
  });

  it('answers an invalid event (a track without its name) with the GIF and keeps it in the failed-events stream', async () => {
    // Prepare
    const { send, events, failed } = collector();

    // Act
    const answer = await send(pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY, userId: 'u-1' }));

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(0);
    expect(failed.records).toHaveLength(1);
  });

  it('answers an unknown write key and any other HttpError (a rate limit) with the GIF', async () => {
    // Prepare
    const unknown = collector();
    const limited = collector({
      writeKeys: {
        sourceOf: async () => {
          throw new HttpError(429, 'rate limited');
        },
      },
    });

    // Act
    const answers = await Promise.all([
      unknown.send(pixelRequest('/v1/pixel/page', { writeKey: 'nobody', anonymousId: 'a' })),
      limited.send(pixelRequest('/v1/pixel/page', { writeKey: WRITE_KEY, anonymousId: 'a' })),
    ]);

    // Assess
    for (const answer of answers) expectGif(answer);
    expect(unknown.lost).toEqual([]);
  });

  it("answers a pixel over its source's rate limit with the GIF and writes nothing of it", async () => {
    // Prepare: one event a second, a burst of one, and a clock that stands still.
    const { send, events, failed, lost } = collector({ rateLimit: { eventsPerSecond: 1, burst: 1 } });
    const pixel = (userId: string) =>
      pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY, userId, event: 'e' });

    // Act
    const answers = [await send(pixel('first')), await send(pixel('second'))];

    // Assess
    for (const answer of answers) expectGif(answer);
    expect(events.records).toHaveLength(1);
    expect(JSON.stringify(events.records)).not.toContain('second');
    expect(failed.records).toHaveLength(0);
    expect(lost).toEqual([]);
  });

  it('counts PixelEventsLost when neither the stream nor the spill store takes the event, and still answers the GIF', async () => {
    // Prepare
    const { send, events, lost } = collector();
    events.failing = true;

    // Act
    const answer = await send(
      pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY, userId: 'u', event: 'e' }),
    );

    // Assess
    expectGif(answer);
    expect(lost).toEqual([1]);
  });

  it('answers a POST to a pixel path with the GIF too', async () => {
    // Prepare
    const { send, events } = collector();

    // Act
    const answer = await send(pixelRequest('/v1/pixel/track', { writeKey: WRITE_KEY }, 'POST'));

    // Assess
    expectGif(answer);
    expect(events.records).toHaveLength(0);
  });
});
