import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import fc from 'fast-check';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../../lambda/delivery/record-writer';
import { createHandler } from '../../lambda/handler';
import { RELIABILITY_DOC, replaceDocSection, writeDocs } from '../../reliability/doc-sections';

const WRITE_KEY = 'fuzz-write-key';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** A writer that keeps what it was given and fails the records `fail` picks. */
class CapturingWriter implements RecordWriter {
  written: OutgoingRecord[] = [];
  fail: (record: OutgoingRecord) => boolean = () => false;
  async write(records: readonly OutgoingRecord[]): Promise<WriteReport> {
    const failed = records.flatMap((record, index) => {
      if (this.fail(record)) return [{ index, errorCode: 'InternalFailure', errorMessage: 'injected' }];
      this.written.push(record);
      return [];
    });
    return { failed, calls: 1 };
  }
}

const writer = new CapturingWriter();
const config = parseRuntimeConfig({
  sources: [{ id: 'fuzz', writeKeys: [WRITE_KEY], destinations: ['k'] }],
  destinations: [{ id: 'k', streamName: 's', region: 'us-east-1' }],
  cors: { allowedOrigins: ['https://shop.example.com'] },
});
const handler = createHandler({
  config,
  writers: new Map([['k', writer]]),
  logger: new Logger({ serviceName: 'fuzz', logLevel: 'SILENT' }),
});

function context(): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'fuzz',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fuzz',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: 'fuzz',
    logStreamName: 'fuzz',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  readonly query?: Record<string, string>;
}

function apiEvent(request: FuzzRequest): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: '',
    headers: request.headers,
    ...(request.query ? { queryStringParameters: request.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'fuzz',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'fuzz',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded,
  };
}

const runs: Record<string, number> = {};

/**
 * `expect(...)` builds an Error for its stack on every call (~20 µs here); the properties below
 * check ~10 things in each of ~6,500 runs, which cost ~2.5 s of CPU. So each check is made in plain
 * code first and handed to `expect` only when it fails, which then reports it as it always did.
 */
function check(holds: boolean, assertion: () => void): void {
  if (!holds) assertion();
}

/** Sends a request through the real handler; checks what must hold for any input. */
async function invoke(request: FuzzRequest) {
  writer.written = [];
  const answer = (await handler(apiEvent(request), context())) as APIGatewayProxyStructuredResultV2;
  const status = answer.statusCode ?? 0;
  // Never a bug (500), never what SDKs drop silently or count as success without writing: the only
  // 5xx is 503 with Retry-After (a 502 or 504 would be a fault the docs do not promise).
  check(status >= 200, () => expect(status).toBeGreaterThanOrEqual(200));
  check(status < 300 || status >= 400, () => expect(status < 300 || status >= 400).toBe(true));
  if (status >= 500) check(status === 503, () => expect(status).toBe(503));
  if (answer.headers?.['Content-Type'] === 'image/gif') {
    // A pixel: always the GIF with 200, whatever was sent.
    check(status === 200, () => expect(status).toBe(200));
    check(answer.isBase64Encoded === true, () => expect(answer.isBase64Encoded).toBe(true));
    check(Object.keys(Object.prototype).length === 0, () =>
      expect(Object.keys(Object.prototype)).toEqual([]),
    );
    return { status, body: {} as Record<string, unknown> };
  }
  const body = answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
  if (status >= 400 && request.method !== 'OPTIONS') {
    // The answer names the problem.
    check(typeof body.error === 'string', () => expect(typeof body.error).toBe('string'));
    check((body.error as string).length > 10, () =>
      expect((body.error as string).length).toBeGreaterThan(10),
    );
  }
  if (status === 200 && typeof body.accepted === 'number') {
    // A 200 only when every accepted event was written.
    check(writer.written.length === body.accepted, () =>
      expect(writer.written).toHaveLength(body.accepted as number),
    );
    for (const rejected of (body.rejected as { reason: string }[]) ?? [])
      check(rejected.reason.length > 5, () => expect(rejected.reason.length).toBeGreaterThan(5));
  }
  if (status === 503 || status === 429) {
    const retryAfter = answer.headers?.['Retry-After'];
    check(typeof retryAfter === 'string' && /^\d+$/.test(retryAfter), () =>
      expect(retryAfter).toMatch(/^\d+$/),
    );
    // Browsers let analytics-next read Retry-After only when it is exposed.
    const exposed = answer.headers?.['Access-Control-Expose-Headers'];
    check(typeof exposed === 'string' && exposed.includes('Retry-After'), () =>
      expect(exposed).toContain('Retry-After'),
    );
  }
  if (status === 401) {
    const challenge = answer.headers?.['WWW-Authenticate'];
    check(typeof challenge === 'string' && /^Basic /.test(challenge), () =>
      expect(challenge).toMatch(/^Basic /),
    );
  }
  check(Object.keys(Object.prototype).length === 0, () => expect(Object.keys(Object.prototype)).toEqual([]));
  check(({} as Record<string, unknown>).polluted === undefined, () =>
    expect(({} as Record<string, unknown>).polluted).toBeUndefined(),
  );
  return { status, body };
}

const PATHS = [
  '/v1/track',
  '/v1/t',
  '/v1/batch',
  '/v1/b',
  '/v1/identify',
  '/v1/page',
  '/v1/m',
  '/prod/v1/batch',
  '/sourceConfig/',
  '/beacon/v1/batch',
  '/v1/pixel/track',
  '/pixel/v1/page',
  '/v1/r',
];

const pathArb = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.string({ maxLength: 40 }).map((s) => `/${s}`),
  fc.constantFrom(...PATHS).map((p) => `${p}/../..//%2e%2e/${p}`),
);

/** JSON-ish values with the keys attackers use. */
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'polluted',
);
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, 0, -0),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), hostileKey), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const eventArb = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias'),
      fc.string({ maxLength: 6 }),
    ),
    messageId: fc.oneof(fc.uuid(), fc.string({ maxLength: 10 })),
    userId: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('')),
    anonymousId: fc.string({ maxLength: 12 }),
    event: fc.string({ maxLength: 20 }),
    previousId: fc.string({ maxLength: 8 }),
    groupId: fc.string({ maxLength: 8 }),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 10 }),
    ),
    properties: valueArb,
    traits: valueArb,
    context: valueArb,
  },
  { requiredKeys: [] },
);

/**
 * One code point, any but a surrogate half: fast-check's `unit: 'binary'` exactly (its
 * `mapToConstant` is `nat` over the 1,112,064 code points mapped in order; the same seed gives the
 * same strings), with a reverse mapping computed instead of looked up. fast-check builds that lookup
 * as a Map of every code point the first time a `unit: 'binary'` string is made: ~1.6 s of CPU.
 */
const binaryUnit = fc.nat({ max: 0x10ffff - 0x800 }).map(
  (index) => String.fromCodePoint(index < 0xd800 ? index : index + 0x800),
  (value) => {
    const codePoint = typeof value === 'string' ? value.codePointAt(0) : undefined;
    if (
      codePoint === undefined ||
      String.fromCodePoint(codePoint) !== value ||
      (codePoint >= 0xd800 && codePoint <= 0xdfff)
    )
      throw new Error('not one code point outside the surrogates');
    return codePoint < 0xd800 ? codePoint : codePoint - 0x800;
  },
);

/** Raw text of a body: JSON with `__proto__` as a real key, lone surrogates and odd numbers spliced in. */
const bodyTextArb = fc.oneof(
  fc
    .record({ batch: fc.array(eventArb, { maxLength: 8 }), writeKey: fc.constantFrom(WRITE_KEY, 'nope') })
    .map((b) => JSON.stringify(b)),
  eventArb.map((e) => JSON.stringify(e)),
  eventArb.map((e) =>
    JSON.stringify(e).replace(
      /^\{/,
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":1}},',
    ),
  ),
  eventArb.map((e) => JSON.stringify(e).replace(/"event":"[^"]*"/, '"event":"\\ud83c lone \\udc00"')),
  eventArb.map((e) =>
    JSON.stringify(e).replace(/^\{/, '{"n":1e999999,"m":-123456789012345678901234567890e-400,'),
  ),
  fc.json(),
  fc.string(),
  fc.string({ unit: binaryUnit }),
);

const headersArb = fc.record(
  {
    authorization: fc.oneof(
      fc.constant(basic(WRITE_KEY)),
      fc.string().map((s) => `Basic ${s}`),
      fc.string(),
      fc.constant(basic('')),
      fc.constant('Bearer x'),
    ),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json;charset=UTF-8',
      'x/y',
    ),
    'content-encoding': fc.oneof(
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-gzip', 'GZIP', ''),
      fc.string({ maxLength: 8 }),
    ),
    origin: fc.constantFrom('https://shop.example.com', 'https://evil.example', 'null'),
    sentat: fc.string({ maxLength: 30 }),
  },
  { requiredKeys: [] },
);

describe('bad input through the real handler', () => {
  const originalPrototype = Object.getOwnPropertyNames(Object.prototype).sort();

  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(originalPrototype);
    const total = Object.values(runs).reduce((sum, n) => sum + n, 0);
    const table = [
      '| property | runs |',
      '|---|---:|',
      ...Object.entries(runs).map(([name, n]) => `| ${name} | ${n} |`),
      `| **total** | **${total}** |`,
    ].join('\n');
    if (writeDocs()) replaceDocSection(RELIABILITY_DOC, 'fuzz-counts', table);
  });

  it('answers any method, path, headers and body without a 5xx, a crash or prototype pollution', async () => {
    runs['any method, path, headers, body'] = 3000;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'OPTIONS', 'PUT', 'DELETE', 'HEAD'),
        pathArb,
        headersArb,
        bodyTextArb,
        fc.boolean(),
        async (method, path, headers, text, base64) => {
          await invoke({
            method,
            path,
            headers,
            body: base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
            isBase64Encoded: base64,
          });
        },
      ),
      { numRuns: runs['any method, path, headers, body'] },
    );
  });

  it('never answers 200 unless every valid event was written, when the stream refuses some', async () => {
    runs['valid and invalid events, stream refusing some'] = 1500;
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (batch, failRate) => {
          writer.fail = () => Math.random() < failRate;
          try {
            const { status, body } = await invoke({
              method: 'POST',
              path: '/v1/batch',
              headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
              body: JSON.stringify({ batch }),
              isBase64Encoded: false,
            });
            check([200, 400, 413, 429, 503].includes(status), () =>
              expect([200, 400, 413, 429, 503]).toContain(status),
            );
            if (status === 503)
              check(typeof body.error === 'string' && /not written/.test(body.error), () =>
                expect(body.error).toMatch(/not written/),
              );
          } finally {
            writer.fail = () => false;
          }
        },
      ),
      { numRuns: runs['valid and invalid events, stream refusing some'] },
    );
  });

  it('never answers 400 to a batch with one invalid event among valid ones: the valid ones are written', async () => {
    runs['a batch with one invalid event among valid ones'] = 1000;
    const validEventArb = fc.record({
      type: fc.constantFrom('track', 'identify', 'page', 'screen', 'group'),
      messageId: fc.uuid(),
      userId: fc.string({ minLength: 1, maxLength: 12 }).filter((id) => id.trim() !== ''),
      event: fc.string({ minLength: 1, maxLength: 20 }),
      groupId: fc.string({ minLength: 1, maxLength: 8 }),
      properties: fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(fc.string(), fc.double(), fc.boolean()),
      ),
    });
    const invalidEventArb = fc.oneof(
      fc.constantFrom(null, 42, 'track', [], true),
      validEventArb.map((event) => ({ ...event, type: 'purchase' })),
      validEventArb.map(({ userId: _userId, ...event }) => ({ ...event, type: 'track' })),
      validEventArb.map((event) => ({ ...event, type: 'track', event: '' })),
      validEventArb.map((event) => ({ ...event, timestamp: 'yesterday' })),
      validEventArb.map((event) => ({ ...event, userId: { id: 1 } })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(validEventArb, { minLength: 1, maxLength: 12 }),
        invalidEventArb,
        fc.nat(),
        fc.constantFrom(0, 0, 0.3, 1),
        async (valid, invalid, at, failRate) => {
          const position = at % (valid.length + 1);
          const batch = [...valid.slice(0, position), invalid, ...valid.slice(position)];
          writer.fail = () => Math.random() < failRate;
          try {
            const { status, body } = await invoke({
              method: 'POST',
              path: '/v1/batch',
              headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
              body: JSON.stringify({ batch }),
              isBase64Encoded: false,
            });
            check(status !== 400, () => expect(status).not.toBe(400));
            check(status === 200 || status === 503, () => expect([200, 503]).toContain(status));
            if (failRate === 0) {
              check(status === 200, () => expect(status).toBe(200));
              check(body.accepted === valid.length, () => expect(body.accepted).toBe(valid.length));
              const rejectedAt = (body.rejected as { index: number }[]).map((r) => r.index);
              check(rejectedAt.length === 1 && rejectedAt[0] === position, () =>
                expect(rejectedAt).toEqual([position]),
              );
            }
          } finally {
            writer.fail = () => false;
          }
        },
      ),
      { numRuns: runs['a batch with one invalid event among valid ones'] },
    );
  });

  it('refuses broken compression and invalid UTF-8 with a 4xx that says so', async () => {
    runs['broken gzip/deflate/br, invalid UTF-8'] = 1000;
    const good = gzipSync(Buffer.from(JSON.stringify({ userId: 'u', event: 'E' })));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.nat({ max: good.length - 1 }).map((cut) => ({ bytes: good.subarray(0, cut), encoding: 'gzip' })),
          fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const copy = Buffer.from(good);
            copy[at] = (copy[at] ?? 0) ^ xor;
            return { bytes: copy, encoding: 'gzip' };
          }),
          fc.uint8Array({ maxLength: 200 }).map((b) => ({
            bytes: Buffer.from(b),
            encoding: fc.sample(fc.constantFrom('gzip', 'deflate', 'br'), 1)[0] as string,
          })),
          fc.uint8Array({ minLength: 1, maxLength: 50 }).map((b) => ({
            bytes: Buffer.concat([
              Buffer.from('{"userId":"u","event":"'),
              Buffer.from([0xff, 0xc0, ...b]),
              Buffer.from('"}'),
            ]),
            encoding: 'identity',
          })),
        ),
        async ({ bytes, encoding }) => {
          const { status } = await invoke({
            method: 'POST',
            path: '/v1/track',
            headers: { authorization: basic(WRITE_KEY), 'content-encoding': encoding },
            body: bytes.toString('base64'),
            isBase64Encoded: true,
          });
          check([200, 400, 413, 415].includes(status), () => expect([200, 400, 413, 415]).toContain(status));
        },
      ),
      { numRuns: runs['broken gzip/deflate/br, invalid UTF-8'] },
    );
  });

  it('survives deep nesting and refuses 10 MB bodies before parsing them', async () => {
    runs['deep nesting (1k-200k levels)'] = 20;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1_000, max: 200_000 }),
        fc.constantFrom('[', '{"a":'),
        async (depth, open) => {
          const close = open === '[' ? ']' : '}';
          const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
          const body = `{"userId":"u","event":"E","properties":{"deep":${nested}}}`;
          const { status, body: answer } = await invoke({
            method: 'POST',
            path: '/v1/track',
            headers: { authorization: basic(WRITE_KEY) },
            body,
            isBase64Encoded: false,
          });
          // Refused whole, by our own message (never a stack overflow's), or first for its size.
          if (Buffer.byteLength(body) > 512_000) {
            expect(status).toBe(413);
          } else {
            expect(status).toBe(400);
            expect(answer.error).toBe(
              'Request body is nested deeper than 100 levels of objects and arrays; flatten the properties it nests',
            );
          }
        },
      ),
      { numRuns: runs['deep nesting (1k-200k levels)'] },
    );
    runs['10 MB bodies (plain, base64, gzip bomb)'] = 6;
    const tenMb = 'x'.repeat(10 * 1024 * 1024);
    for (const body of [
      { body: `{"userId":"u","event":"${tenMb}"}`, isBase64Encoded: false, encoding: 'identity' },
      {
        body: Buffer.from(`{"batch":[${`{"userId":"u","event":"E"},`.repeat(400_000)}{}]}`).toString(
          'base64',
        ),
        isBase64Encoded: true,
        encoding: 'identity',
      },
      {
        body: gzipSync(Buffer.alloc(10 * 1024 * 1024, 32)).toString('base64'),
        isBase64Encoded: true,
        encoding: 'gzip',
      },
    ]) {
      for (const path of ['/v1/track', '/v1/batch']) {
        const started = Date.now();
        const { status, body: answer } = await invoke({
          method: 'POST',
          path,
          headers: { authorization: basic(WRITE_KEY), 'content-encoding': body.encoding },
          body: body.body,
          isBase64Encoded: body.isBase64Encoded,
        });
        expect(status).toBe(413);
        expect(answer.error).toMatch(/limit/);
        expect(Date.now() - started).toBeLessThan(2000);
      }
    }
  });
});
