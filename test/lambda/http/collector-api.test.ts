import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { parseRuntimeConfig } from '../../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../../lambda/delivery/record-writer';
import { createCollectorApi } from '../../../lambda/http/collector-api';

const WRITE_KEY = 'deadline-write-key';
const RECEIVED_AT = Date.UTC(2026, 10, 29, 12, 0, 0);

/** A writer that keeps the deadline of every write and writes everything. */
class DeadlineWriter implements RecordWriter {
  readonly deadlines: number[] = [];
  async write(_records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    this.deadlines.push(deadline);
    return { failed: [], calls: 1 };
  }
}

/** A Lambda context whose remaining time is fixed, as at the start of an invocation. */
function contextWithRemaining(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs, awsRequestId: 'deadline' } as unknown as Context;
}

function trackEvent(): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/v1/track',
    rawQueryString: '',
    headers: {
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    requestContext: {
      http: { method: 'POST', path: '/v1/track', sourceIp: '127.0.0.1' },
    } as APIGatewayProxyEventV2['requestContext'],
    body: JSON.stringify({ userId: 'u-1', event: 'Order Completed', messageId: 'm-1' }),
    isBase64Encoded: false,
  };
}

/** The deadline the writer is given for one request, with this budget, reserve and remaining time. */
async function deadlineFor(budgetMs: number, reserveMs: number, remainingMs: number): Promise<number> {
  const writer = new DeadlineWriter();
  const api = createCollectorApi({
    config: parseRuntimeConfig({
      sources: [{ id: 'web', writeKeys: [WRITE_KEY], destinations: ['k'] }],
      destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
      delivery: { budgetMs, reserveMs },
    }),
    writers: new Map([['k', writer]]),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    now: () => RECEIVED_AT,
  });
  const answer = await api(trackEvent(), contextWithRemaining(remainingMs));
  expect(answer.statusCode).toBe(200);
  expect(writer.deadlines).toHaveLength(1);
  return (writer.deadlines[0] as number) - RECEIVED_AT;
}

describe('the delivery deadline: min(delivery.budgetMs, remaining Lambda time - delivery.reserveMs)', () => {
  it('gives the writer the whole budget when the Lambda has time to spare', async () => {
    // Act: budget 6 s, 10 s left, 500 ms kept back.
    const deadline = await deadlineFor(6_000, 500, 10_000);

    // Assess
    expect(deadline).toBe(6_000);
  });

  it('ends delivery reserveMs before the Lambda times out when less time is left than the budget', async () => {
    // Act: budget 6 s, only 3 s left: the answer must leave 500 ms before the timeout.
    const deadline = await deadlineFor(6_000, 500, 3_000);

    // Assess
    expect(deadline).toBe(2_500);
  });

  it('uses the reserve as configured, not a fixed one', async () => {
    // Act
    const deadline = await deadlineFor(6_000, 2_000, 5_000);

    // Assess
    expect(deadline).toBe(3_000);
  });
});

/** A writer that keeps every record it is given and writes everything. */
class KeepingWriter implements RecordWriter {
  readonly records: OutgoingRecord[] = [];
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    this.records.push(...records);
    return { failed: [], calls: 1 };
  }
}

/** The `context.ip` of the one event written for a request with these extra headers. */
async function contextIpOf(headers: Record<string, string>, originSecret?: string): Promise<unknown> {
  const writer = new KeepingWriter();
  const api = createCollectorApi({
    config: parseRuntimeConfig({
      sources: [{ id: 'web', writeKeys: [WRITE_KEY], destinations: ['k'] }],
      destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
    }),
    writers: new Map([['k', writer]]),
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    ...(originSecret === undefined ? {} : { originSecret }),
  });
  const event = trackEvent();
  const answer = await api(
    { ...event, headers: { ...event.headers, ...headers } },
    contextWithRemaining(10_000),
  );
  expect(answer.statusCode).toBe(200);
  const [record] = writer.records;
  const envelope = JSON.parse(Buffer.from(record?.data ?? []).toString('utf8')) as Record<string, unknown>;
  return JSON.stringify(envelope).match(/"ip":"([^"]+)"/)?.[1];
}

describe("the client's address behind the same-origin path", () => {
  const viaDistribution = {
    'x-collector-origin-secret': 'origin-secret-123',
    'cloudfront-viewer-address': '198.51.100.7:51234',
  };

  it("becomes context.ip from CloudFront-Viewer-Address when the distribution's secret header is right", async () => {
    // Act
    const ip = await contextIpOf(viaDistribution, 'origin-secret-123');

    // Assess
    expect(ip).toBe('198.51.100.7');
  });

  it('stays the source address API Gateway saw when the function has no origin secret', async () => {
    // Act
    const ip = await contextIpOf(viaDistribution);

    // Assess
    expect(ip).toBe('127.0.0.1');
  });
});

describe('the analytics.js settings loaded through the same-origin path', () => {
  /** The `apiHost` of the settings answered for a settings request with these extra headers. */
  async function apiHostOf(headers: Record<string, string>, originSecret?: string): Promise<unknown> {
    const api = createCollectorApi({
      config: parseRuntimeConfig({
        sources: [{ id: 'web', writeKeys: [WRITE_KEY], destinations: ['k'] }],
        destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
      }),
      writers: new Map([['k', new KeepingWriter()]]),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      ...(originSecret === undefined ? {} : { originSecret }),
    });
    const path = `/v1/projects/${WRITE_KEY}/settings`;
    const answer = await api(
      {
        ...trackEvent(),
        rawPath: path,
        headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', ...headers },
        requestContext: {
          domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
          http: { method: 'GET', path, sourceIp: '130.176.0.10' },
        } as APIGatewayProxyEventV2['requestContext'],
        body: undefined,
      },
      contextWithRemaining(10_000),
    );
    expect(answer.statusCode).toBe(200);
    const settings = JSON.parse(String(answer.body)) as {
      integrations: { 'Segment.io': { apiHost: string; protocol: string } };
    };
    return settings.integrations['Segment.io'];
  }
  const viaDistribution = {
    'x-collector-origin-secret': 'origin-secret-123',
    'x-collector-forwarded-host': 'www.example.com',
    'x-collector-path-prefix': '/collect',
  };

  it('send events back to the site and its prefix when the secret origin header is right', async () => {
    // Act
    const segment = await apiHostOf(viaDistribution, 'origin-secret-123');

    // Assess
    expect(segment).toMatchObject({ apiHost: 'www.example.com/collect/v1', protocol: 'https' });
  });

  it('name the API host when the forwarded host comes without the secret', async () => {
    // Act
    const segment = await apiHostOf(
      { ...viaDistribution, 'x-collector-origin-secret': 'guess' },
      'origin-secret-123',
    );

    // Assess
    expect(segment).toMatchObject({ apiHost: 'abc123.execute-api.eu-west-1.amazonaws.com/v1' });
  });
});

describe('the identity cookie behind the same-origin path', () => {
  /** The cookies answered to a browser event from the site, sent through the distribution with these headers. */
  async function cookiesOf(headers: Record<string, string>): Promise<readonly string[] | undefined> {
    const api = createCollectorApi({
      config: parseRuntimeConfig({
        sources: [
          {
            id: 'web',
            writeKeys: [WRITE_KEY],
            destinations: ['k'],
            allowedOrigins: ['https://www.example.com'],
            identityCookie: { domain: 'example.com' },
          },
        ],
        destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
      }),
      writers: new Map([['k', new KeepingWriter()]]),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      originSecret: 'origin-secret-123',
    });
    const event = trackEvent();
    const answer = await api(
      {
        ...event,
        body: JSON.stringify({ anonymousId: 'anon-7', event: 'Order Completed', messageId: 'm-7' }),
        headers: {
          ...event.headers,
          host: 'abc123.execute-api.eu-west-1.amazonaws.com',
          origin: 'https://www.example.com',
          ...headers,
        },
      },
      contextWithRemaining(10_000),
    );
    expect(answer.statusCode).toBe(200);
    return answer.cookies;
  }
  const viaDistribution = {
    'x-collector-origin-secret': 'origin-secret-123',
    'x-collector-forwarded-host': 'www.example.com',
    'x-collector-path-prefix': '/collect',
  };

  it('is set for the site’s host the distribution vouches for, though API Gateway sees its execute-api host', async () => {
    // Act
    const cookies = await cookiesOf(viaDistribution);

    // Assess
    expect(cookies).toHaveLength(1);
    expect(cookies?.[0]).toMatch(/^ajs_anonymous_id=%22anon-7%22; .*Domain=example\.com/);
  });

  it('is not set when the forwarded host comes without the secret', async () => {
    // Act
    const cookies = await cookiesOf({ ...viaDistribution, 'x-collector-origin-secret': 'guess' });

    // Assess
    expect(cookies).toBeUndefined();
  });
});
