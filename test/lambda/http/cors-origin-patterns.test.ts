import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import { createHandler } from '../../../lambda/handler';
import { OriginAllowlist } from '../../../lambda/http/cors';
import { ensureStream } from '../../../local/streams';
import { readAllRecords } from '../../support/stream-reader';
import { useTestKinesis } from '../../support/test-collector';

const PATTERN = 'https://*.example.com';

describe('an allowed origin pattern against hostile origins', () => {
  const allowlist = new OriginAllowlist([PATTERN, 'https://app.example.org']);

  it.each(['https://shop.example.com', 'https://a-b.example.com', 'https://app.example.org'])(
    'allows %s',
    (origin) => {
      expect(allowlist.allows(origin)).toBe(true);
    },
  );

  it.each([
    ['a suffix trick', 'https://shop.example.com.evil.net'],
    ['a suffix trick on an exact origin', 'https://app.example.org.evil.net'],
    ['an extra label', 'https://a.shop.example.com'],
    ['the other scheme', 'http://shop.example.com'],
    ['the bare domain', 'https://example.com'],
    ['a look-alike domain', 'https://shopexample.com'],
    ['a dot turned into another character', 'https://shop.exampleXcom'],
    ['a prefix', 'https://evil.net/https://shop.example.com'],
    ['another port', 'https://shop.example.com:8443'],
    ['a user part', 'https://shop.example.com@evil.net'],
  ])('refuses %s (%s)', (_what, origin) => {
    expect(allowlist.allows(origin)).toBe(false);
    expect(allowlist.allowOriginHeader(origin)).toBeUndefined();
  });

  it('reads https://* as any https origin and nothing else', () => {
    const anyHttps = new OriginAllowlist(['https://*']);

    expect(anyHttps.allows('https://shop.example.com')).toBe(true);
    expect(anyHttps.allows('http://shop.example.com')).toBe(false);
    expect(anyHttps.allows('null')).toBe(false);
  });
});

describe('the collector refuses a hostile origin a source’s pattern does not allow', () => {
  const kinesis = useTestKinesis();
  const STREAM = 'cors-events';
  const written = async () => (await readAllRecords(kinesis.client, STREAM)).length;
  let handler: ReturnType<typeof createHandler>;
  beforeAll(async () => {
    await ensureStream(kinesis.client, STREAM, 1);
    handler = createHandler({
      config: parseRuntimeConfig({
        sources: [
          { id: 'shop', writeKeys: ['shop-key'], destinations: ['d'], allowedOrigins: [PATTERN] },
          {
            id: 'blog',
            writeKeys: ['blog-key'],
            destinations: ['d'],
            allowedOrigins: ['https://blog.example.net'],
          },
        ],
        destinations: [{ id: 'd', streamName: STREAM, region: 'us-east-1' }],
      }),
      writers: new Map([
        [
          'd',
          new KinesisRecordWriter({
            client: kinesis.client,
            streamName: STREAM,
            backoff: { baseDelayMs: 10, maxDelayMs: 100 },
          }),
        ],
      ]),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
  });
  const send = async (key: string, origin: string) =>
    (await handler(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/v1/track',
        rawQueryString: '',
        headers: {
          authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
          'content-type': 'text/plain',
          origin,
        },
        requestContext: {
          http: { method: 'POST', path: '/v1/track', sourceIp: '198.51.100.7' },
        } as APIGatewayProxyEventV2['requestContext'],
        body: JSON.stringify({ userId: 'u', event: 'E', messageId: `${key}-${origin}` }),
        isBase64Encoded: false,
      },
      { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'cors' } as unknown as Context,
    )) as APIGatewayProxyStructuredResultV2;

  it('answers 403 and writes nothing for a suffix trick, an extra label or the other scheme', async () => {
    const before = await written();
    const answers = [];
    for (const origin of [
      'https://shop.example.com.evil.net',
      'https://a.shop.example.com',
      'http://shop.example.com',
    ]) {
      answers.push((await send('shop-key', origin)).statusCode);
    }

    expect(answers).toEqual([403, 403, 403]);
    expect(await written()).toBe(before);
  });

  it('answers 200 to an origin the pattern allows, and writes the event', async () => {
    const before = await written();

    expect((await send('shop-key', 'https://shop.example.com')).statusCode).toBe(200);
    expect(await written()).toBe(before + 1);
  });

  it('answers 403 to an origin another source allows, not this one', async () => {
    expect((await send('blog-key', 'https://shop.example.com')).statusCode).toBe(403);
    expect((await send('shop-key', 'https://blog.example.net')).statusCode).toBe(403);
  });
});
