import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { parseRuntimeConfig, type RuntimeConfigInput } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { createCollectorApi } from '../../../lambda/http/collector-api';
import { httpErrorResponse } from '../../../lambda/http/error-response';

const WRITE_KEY = 'links-write-key';
const CONTEXT = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'redirect' } as unknown as Context;
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

class MemoryWriter implements RecordWriter {
  readonly records: Record<string, unknown>[] = [];
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    for (const record of records) this.records.push(JSON.parse(Buffer.from(record.data).toString('utf8')));
    return { failed: [], calls: 1 };
  }
}

function collector(
  redirect: RuntimeConfigInput['sources'][number]['redirect'],
  rateLimit?: { eventsPerSecond: number; burst: number },
) {
  const events = new MemoryWriter();
  const api = createCollectorApi({
    config: parseRuntimeConfig({
      sources: [
        {
          id: 'email',
          writeKeys: [WRITE_KEY],
          destinations: ['k'],
          ...(redirect ? { redirect } : {}),
          ...(rateLimit ? { rateLimit } : {}),
        },
      ],
      destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
    }),
    writers: new Map([['k', events]]),
    logger,
  });
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(httpErrorResponse({ logger }))
    .handler(api);
  const click = (query: Record<string, string>, path = '/v1/r') =>
    handler(
      {
        version: '2.0',
        routeKey: '$default',
        rawPath: path,
        rawQueryString: new URLSearchParams(query).toString(),
        headers: { 'user-agent': 'Mail/1.0' },
        queryStringParameters: query,
        requestContext: {
          http: { method: 'GET', path, sourceIp: '203.0.113.9' },
        } as APIGatewayProxyEventV2['requestContext'],
        isBase64Encoded: false,
      },
      CONTEXT,
    ) as Promise<APIGatewayProxyStructuredResultV2>;
  return { click, events };
}

const data = (event: object) => Buffer.from(JSON.stringify(event)).toString('base64url');

describe('the link-click redirect, GET /v1/r', () => {
  it('records Link Clicked with the target and answers 302 to it, under a stage prefix too', async () => {
    // Prepare
    const { click, events } = collector({ allowedHosts: ['www.example.com'] });

    // Act
    const answer = await click(
      {
        u: 'https://www.example.com/offer?x=1',
        data: data({ writeKey: WRITE_KEY, userId: 'u-1', properties: { campaign: 'december' } }),
      },
      '/prod/v1/r',
    );

    // Assess
    expect(answer.statusCode).toBe(302);
    expect(answer.headers?.Location).toBe('https://www.example.com/offer?x=1');
    expect(events.records).toHaveLength(1);
    expect(events.records[0]).toMatchObject({
      type: 'track',
      event: 'Link Clicked',
      user_id: 'u-1',
      properties: { campaign: 'december', url: 'https://www.example.com/offer?x=1' },
    });
  });

  it('takes the dot-path form with ?writeKey= as a pixel does', async () => {
    // Prepare
    const { click, events } = collector({ allowedHosts: ['www.example.com'] });

    // Act
    const answer = await click({ u: 'https://www.example.com/', writeKey: WRITE_KEY, anonymousId: 'a-1' });

    // Assess
    expect(answer.statusCode).toBe(302);
    expect(events.records[0]).toMatchObject({
      anonymous_id: 'a-1',
      properties: { url: 'https://www.example.com/' },
    });
  });

  it.each([
    ['//evil.com'],
    ['https://www.example.com@evil.com'],
    ['https://www.example.com.evil.com/'],
    ['https%3A%2F%2Fevil.com'],
    ['https:\\\\evil.com'],
    ['https://www.example.com:444/'],
    ['https://[::1]/'],
  ])('refuses %s with a 400 and its reason, no Location, and records nothing', async (u) => {
    // Prepare
    const { click, events } = collector({ allowedHosts: ['www.example.com'] });

    // Act
    const answer = await click({ u, writeKey: WRITE_KEY, userId: 'u-1' });

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(answer.headers?.Location).toBeUndefined();
    expect(JSON.parse(answer.body as string).error).toMatch(/^Redirect refused: /);
    expect(events.records).toHaveLength(0);
  });

  it("records and redirects docs/sdk-usage.md's tracked link as written", async () => {
    // Prepare
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'sdk-usage.md'), 'utf8');
    const href = /<a href="(https:\/\/events\.example\.com\/v1\/r\?[^"]+)"/.exec(docs)?.[1] ?? '';
    const link = new URL(href);
    const { click, events } = collector({ allowedHosts: ['www.example.com'] });

    // Act
    const answer = await click(
      { ...Object.fromEntries(link.searchParams), writeKey: WRITE_KEY },
      link.pathname,
    );

    // Assess
    expect(answer.statusCode).toBe(302);
    expect(answer.headers?.Location).toBe('https://www.example.com/offer');
    expect(events.records).toMatchObject([
      {
        event: 'Link Clicked',
        user_id: 'u-123',
        properties: { campaign: 'december', url: 'https://www.example.com/offer' },
      },
    ]);
  });

  it('still redirects a click over the rate limit, without recording it', async () => {
    // Prepare
    const { click, events } = collector(
      { allowedHosts: ['www.example.com'] },
      { eventsPerSecond: 1, burst: 1 },
    );
    const query = (userId: string) => ({ u: 'https://www.example.com/', writeKey: WRITE_KEY, userId });

    // Act
    const answers = [await click(query('first')), await click(query('second'))];

    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([302, 302]);
    expect(events.records).toHaveLength(1);
    expect(events.records[0]).toMatchObject({ user_id: 'first' });
  });

  it('refuses every redirect of a source without redirect.allowedHosts', async () => {
    // Prepare
    const { click } = collector(undefined);

    // Act
    const answer = await click({ u: 'https://www.example.com/', writeKey: WRITE_KEY, userId: 'u-1' });

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body as string).error).toMatch(/redirects are off/);
  });
});

describe('redirect.allowedHosts in the configuration document', () => {
  const parse = (allowedHosts: unknown) =>
    parseRuntimeConfig({
      sources: [{ id: 'email', writeKeys: [WRITE_KEY], destinations: ['k'], redirect: { allowedHosts } }],
      destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
    } as RuntimeConfigInput);

  it('keeps host names lower-cased', () => {
    // Act / Assess
    expect(parse(['WWW.Example.com']).sources[0]?.redirect).toEqual({ allowedHosts: ['www.example.com'] });
  });

  it.each([
    ['https://www.example.com'],
    ['www.example.com:443'],
    ['192.0.2.1'],
    ['www.example.com/x'],
    ['*.example.com'],
  ])('refuses %s, which is not a host name', (host) => {
    // Act / Assess
    expect(() => parse([host])).toThrow(/host name/);
  });
});
