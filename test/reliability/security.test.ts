import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createCollector } from '../../lambda/collector';
import {
  InvalidConfigError,
  parseRuntimeConfig,
  readRuntimeConfig,
} from '../../lambda/config/runtime-config';
import { DeliveryDiagnostics } from '../../lambda/delivery/delivery-diagnostics';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { createHandler } from '../../lambda/handler';
import { WriteKeyRegistry } from '../../lambda/http/write-key';
import { ConfiguredWriteKeys } from '../../lambda/http/write-key-directory';

const WRITE_KEY = 'wk-SECRET-7f3a9c2d';
const GUESSED_KEY = 'wk-GUESS-55aa11bb';
const EXTERNAL_ID = 'ext-SECRET-0123456789';
const PAYLOAD = 'PAYLOAD-SECRET-e1f2';
const EMAIL = 'secret.person@example.com';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function context(): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'security',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:security',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: 'security',
    logStreamName: 'security',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function apiEvent(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'security',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded,
  };
}

const config = parseRuntimeConfig({
  sources: [
    {
      id: 'shop',
      writeKeys: [WRITE_KEY],
      destinations: ['kinesis'],
      allowedOrigins: ['https://shop.example.com'],
    },
  ],
  destinations: [
    {
      id: 'kinesis',
      streamName: 'events',
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::222222222222:role/event-writer',
      externalId: EXTERNAL_ID,
    },
  ],
  cors: { allowedOrigins: ['https://shop.example.com'] },
  delivery: { budgetMs: 200 },
});

describe('write keys', () => {
  it('keeps only SHA-256 digests of the keys, never the keys themselves', () => {
    const registry = new WriteKeyRegistry([[WRITE_KEY, 'shop']]);
    const directory = new ConfiguredWriteKeys(config.sources);

    const dump = inspect(registry, { depth: 10, showHidden: true });
    const lookupTable = (directory as unknown as { registry: { owners: Map<string, unknown> } }).registry
      .owners;

    expect(dump).not.toContain(WRITE_KEY);
    expect(dump).toMatch(/[A-Za-z0-9+/]{43}=/);
    expect([...lookupTable.keys()]).toEqual([expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/)]);
    expect(registry.ownerOf(WRITE_KEY)).toBe('shop');
    expect(registry.ownerOf(`${WRITE_KEY.slice(0, -1)}e`)).toBeUndefined();
  });

  it('looks keys up by digest: a near-miss and a far-miss cost the same one hash and one map lookup', () => {
    const registry = new WriteKeyRegistry([[WRITE_KEY, 'shop']]);
    const owners = (registry as unknown as { owners: Map<string, string> }).owners;
    const get = jest.spyOn(owners, 'get');

    registry.ownerOf(`${WRITE_KEY.slice(0, -1)}X`);
    registry.ownerOf('completely-different');

    expect(get.mock.calls.map(([key]) => key.length)).toEqual([44, 44]);
    expect(get.mock.calls.flat()).not.toContain(WRITE_KEY.slice(0, -1));
  });
});

/** Everything written to stdout and stderr (where Powertools logs go) until `restore()`. */
function captureOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const capture =
    (stream: NodeJS.WriteStream) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      lines.push(String(chunk));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return stream === process.stdout || stream === process.stderr;
    };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture(process.stdout) as never);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture(process.stderr) as never);
  return {
    lines,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

describe('logs at DEBUG level', () => {
  let lines: string[];
  let restore: () => void;
  beforeEach(() => {
    ({ lines, restore } = captureOutput());
  });
  afterEach(() => restore());

  it('hold no write key, external ID or event payload, whatever the outcome of the request', async () => {
    const logger = new Logger({ serviceName: 'security', logLevel: 'DEBUG' });
    const outcomes: Record<string, RecordWriter> = {
      written: { write: async () => ({ failed: [], calls: 1 }) },
      refused: {
        write: async (records) => ({
          failed: records.map((_, index) => ({
            index,
            errorCode: 'AccessDeniedException',
            errorMessage: `not authorized with external ID ${EXTERNAL_ID}`.replace(EXTERNAL_ID, '****6789'),
          })),
          calls: 1,
        }),
      },
      throwing: {
        write: async () => {
          throw new Error('writer crashed');
        },
      },
    };
    const event = {
      userId: 'u-1',
      event: PAYLOAD,
      properties: { secret: PAYLOAD },
      traits: { email: EMAIL },
    };
    const statuses: number[] = [];
    for (const writer of Object.values(outcomes)) {
      const handler = createHandler({ config, writers: new Map([['kinesis', writer]]), logger });
      const send = async (path: string, headers: Record<string, string>, body?: string, base64 = false) => {
        const answer = (await handler(
          apiEvent('POST', path, headers, body, base64),
          context(),
        )) as APIGatewayProxyStructuredResultV2;
        statuses.push(answer.statusCode ?? 0);
      };
      await send('/v1/track', { authorization: basic(WRITE_KEY) }, JSON.stringify(event));
      await send(
        '/v1/batch',
        { authorization: basic(WRITE_KEY) },
        JSON.stringify({ batch: [event, { event: PAYLOAD }] }),
      );
      await send('/v1/track', { authorization: basic(GUESSED_KEY) }, JSON.stringify(event));
      await send('/v1/track', {}, JSON.stringify({ ...event, writeKey: GUESSED_KEY }));
      await send('/v1/track', { authorization: basic(WRITE_KEY) }, `{"event":"${PAYLOAD}", broken`);
      await send('/v1/track', { authorization: basic(WRITE_KEY) }, `${PAYLOAD}${EMAIL}`);
      await send(
        '/v1/track',
        { authorization: basic(WRITE_KEY), 'content-encoding': 'gzip' },
        gzipSync(JSON.stringify(event)).subarray(0, 20).toString('base64'),
        true,
      );
      await send(
        '/v1/batch',
        { authorization: basic(WRITE_KEY) },
        JSON.stringify({ batch: [{ event: PAYLOAD }] }),
      );
    }

    const logs = lines.join('');
    expect(logs).not.toMatch(/PAYLOAD|secret\.person/);
    expect(statuses).toEqual(expect.arrayContaining([200, 400, 401, 500, 503]));
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [WRITE_KEY, GUESSED_KEY, EXTERNAL_ID, PAYLOAD, EMAIL, basic(WRITE_KEY).slice(6)]) {
      expect({ secret, found: logs.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});

describe('logs with POWERTOOLS_LOGGER_LOG_EVENT=true in the environment', () => {
  let output: ReturnType<typeof captureOutput>;
  const saved = process.env.POWERTOOLS_LOGGER_LOG_EVENT;
  beforeEach(() => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    if (saved === undefined) delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    else process.env.POWERTOOLS_LOGGER_LOG_EVENT = saved;
  });

  it('hold neither the Authorization header nor the body: the handler never logs the event', async () => {
    // Prepare: the logger is built while the switch is on, as a cold start with it set would.
    const logger = new Logger({ serviceName: 'security', logLevel: 'DEBUG' });
    const handler = createHandler({
      config,
      writers: new Map([['kinesis', { write: async () => ({ failed: [], calls: 1 }) }]]),
      logger,
    });

    // Act
    const answer = (await handler(
      apiEvent(
        'POST',
        '/v1/track',
        { authorization: basic(WRITE_KEY) },
        JSON.stringify({ userId: 'u', event: PAYLOAD }),
      ),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

    // Assess
    const logs = output.lines.join('');
    expect(answer.statusCode).toBe(200);
    expect(logs).not.toContain(basic(WRITE_KEY).slice(6));
    expect(logs).not.toContain(PAYLOAD);
    expect(logs).not.toMatch(/"authorization"|"body"/i);
  });
});

describe('a configuration document that is not JSON', () => {
  const KEY_LIKE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
  // A key written without quotes: V8's error quotes the text around it.
  const broken = `{"sources":[{"id":"web","writeKeys":[${KEY_LIKE}],"destinations":["kinesis"]}]}`;

  it('is refused at cold start with a message and cause chain that quote none of it', () => {
    const error = (() => {
      try {
        readRuntimeConfig({ COLLECTOR_CONFIG: broken });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as Error).message).toMatch(/COLLECTOR_CONFIG: not JSON \(unexpected token/);
    expect(inspect(error, { depth: 10 })).not.toContain(KEY_LIKE);
    expect(inspect(error, { depth: 10 })).not.toContain('sk_live');
  });

  it('read from a secret leaves no piece of it in the log and answers 503', async () => {
    const output = captureOutput();
    try {
      const handler = createCollector({
        env: { COLLECTOR_CONFIG_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:config' },
        logger: new Logger({ serviceName: 'security', logLevel: 'DEBUG' }),
        configStores: {
          parameter: async () => broken,
          secret: async () => broken,
        },
      });

      const answer = (await handler(
        apiEvent('POST', '/v1/track', { authorization: basic(KEY_LIKE) }, '{}'),
        context(),
      )) as APIGatewayProxyStructuredResultV2;

      expect(answer.statusCode).toBe(503);
    } finally {
      output.restore();
    }
    const logs = output.lines.join('');
    expect(logs).toContain('not JSON (unexpected token');
    expect(logs).not.toContain('sk_live');
  });
});

describe('request size caps', () => {
  it('refuses an oversized body before any JSON parsing', async () => {
    const handler = createHandler({
      config,
      writers: new Map([['kinesis', { write: async () => ({ failed: [], calls: 1 }) }]]),
      logger: new Logger({ serviceName: 'security', logLevel: 'SILENT' }),
    });
    const parse = jest.spyOn(JSON, 'parse');
    const big = JSON.stringify({ userId: 'u', event: 'x'.repeat(config.limits.maxRequestBytes) });

    const answer = (await handler(
      apiEvent('POST', '/v1/track', { authorization: basic(WRITE_KEY) }, big),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(413);
    expect(parse.mock.calls.some(([text]) => typeof text === 'string' && text.length >= big.length)).toBe(
      false,
    );
  });
});

describe('requests without a valid write key', () => {
  const write = jest.fn(async () => ({ failed: [], calls: 1 }));
  const handler = createHandler({
    config,
    writers: new Map([['kinesis', { write }]]),
    logger: new Logger({ serviceName: 'security', logLevel: 'SILENT' }),
  });
  const big = JSON.stringify({
    batch: Array.from({ length: 2000 }, (_, i) => ({ userId: `u-${i}`, event: 'E' })),
  });
  afterEach(() => write.mockClear());

  it('are refused with 401 before the body is parsed when no key is anywhere in the request', async () => {
    const parse = jest.spyOn(JSON, 'parse');

    const answer = (await handler(
      apiEvent('POST', '/v1/batch', {}, big),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(401);
    expect(parse.mock.calls.some(([text]) => typeof text === 'string' && text.length >= big.length)).toBe(
      false,
    );
    expect(write).not.toHaveBeenCalled();
  });

  it('are refused with 401 before the body is parsed when the Authorization key is unknown', async () => {
    const parse = jest.spyOn(JSON, 'parse');

    const answer = (await handler(
      apiEvent('POST', '/v1/batch', { authorization: basic(GUESSED_KEY) }, big),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(401);
    expect(parse.mock.calls.some(([text]) => typeof text === 'string' && text.length >= big.length)).toBe(
      false,
    );
    expect(write).not.toHaveBeenCalled();
  });

  it('still find a key the body spells with a JSON escape', async () => {
    const body = `{"\\u0077riteKey":"${WRITE_KEY}","userId":"u","event":"E"}`;

    const answer = (await handler(
      apiEvent('POST', '/v1/track', {}, body),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(answer.statusCode).toBe(200);
    expect(write).toHaveBeenCalledTimes(1);
  });
});

describe('the CORS allowlist', () => {
  const handler = createHandler({
    config,
    writers: new Map([['kinesis', { write: async () => ({ failed: [], calls: 1 }) }]]),
    logger: new Logger({ serviceName: 'security', logLevel: 'SILENT' }),
  });
  const call = async (method: string, origin: string) =>
    (await handler(
      apiEvent(
        method,
        '/v1/track',
        {
          origin,
          authorization: basic(WRITE_KEY),
          'access-control-request-method': 'POST',
        },
        method === 'POST' ? JSON.stringify({ userId: 'u', event: 'E' }) : undefined,
      ),
      context(),
    )) as APIGatewayProxyStructuredResultV2;

  it.each(['OPTIONS', 'POST'])('lets the allowed origin read the answer to %s', async (method) => {
    const answer = await call(method, 'https://shop.example.com');
    expect(answer.headers?.['Access-Control-Allow-Origin']).toBe('https://shop.example.com');
  });

  it.each(['OPTIONS', 'POST'])(
    'gives any other origin no Access-Control-Allow-Origin for %s',
    async (method) => {
      for (const origin of [
        'https://evil.example',
        'https://shop.example.com.evil.example',
        'null',
        'http://shop.example.com',
      ]) {
        const answer = await call(method, origin);
        expect({ origin, allow: answer.headers?.['Access-Control-Allow-Origin'] }).toEqual({
          origin,
          allow: undefined,
        });
      }
    },
  );
});

describe('external IDs in delivery diagnostics', () => {
  it('are logged masked to their last 4 characters, for STS and Kinesis access errors alike', () => {
    const logged: unknown[] = [];
    const logger = {
      error: (...args: unknown[]) => logged.push(args),
      info: (...args: unknown[]) => logged.push(args),
    };
    const diagnostics = new DeliveryDiagnostics({ logger });
    const destination = config.destinations[0] as (typeof config.destinations)[number];

    for (const errorCode of ['AccessDenied', 'AccessDeniedException']) {
      diagnostics.observer(destination).written({
        failed: [{ index: 0, errorCode, errorMessage: 'denied' }],
        calls: 1,
      });
    }

    const text = JSON.stringify(logged);
    expect(logged.length).toBeGreaterThan(0);
    expect(text).not.toContain(EXTERNAL_ID);
    expect(text).not.toContain(EXTERNAL_ID.slice(0, -4));
    expect(text).toContain('****6789');
  });
});
