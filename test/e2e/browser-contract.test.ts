import { CORS_ALLOWED_HEADERS } from '../../lambda/contract/cors-headers';
import type { RecordWriter, WriteReport } from '../../lambda/delivery/record-writer';
import { startTestCollector, TEST_DESTINATION_ID, type TestCollector } from '../support/test-collector';

/** Makes every write fail with `errorCode` while set: the collector then answers 429 or 503. */
class WriteFault {
  errorCode: string | undefined;

  readonly wrap = (writer: RecordWriter): RecordWriter => ({
    write: async (records, deadline): Promise<WriteReport> => {
      const errorCode = this.errorCode;
      if (errorCode === undefined) return writer.write(records, deadline);
      return {
        calls: 1,
        failed: records.map((_, index) => ({ index, errorCode, errorMessage: 'injected' })),
      };
    },
  });
}

const SHOP = 'https://shop.example';
const BLOG = 'https://blog.example';
const GLOBAL = 'https://global.example';
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const event = JSON.stringify({ type: 'track', event: 'Signed Up', anonymousId: 'a1' });

describe('what browsers need from the collector', () => {
  let collector: TestCollector;
  const fault = new WriteFault();

  beforeAll(async () => {
    collector = await startTestCollector({
      wrapWriter: fault.wrap,
      config: (defaults) => ({
        ...defaults,
        sources: [
          {
            id: 'shop',
            writeKeys: ['key-shop'],
            destinations: [TEST_DESTINATION_ID],
            allowedOrigins: [SHOP],
          },
          {
            id: 'blog',
            writeKeys: ['key-blog'],
            destinations: [TEST_DESTINATION_ID],
            allowedOrigins: [BLOG],
          },
          { id: 'app', writeKeys: ['key-app'], destinations: [TEST_DESTINATION_ID] },
        ],
        cors: { allowedOrigins: [GLOBAL], maxAgeSeconds: 600 },
        limits: { maxRequestBytes: 1024 },
        delivery: { retryAfterSeconds: 3 },
      }),
    });
  });
  afterAll(() => collector.stop());
  afterEach(() => {
    fault.errorCode = undefined;
  });

  const preflight = (path: string, origin: string) =>
    fetch(`${collector.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
  const post = (path: string, origin: string, key: string, body = event) =>
    fetch(`${collector.url}${path}`, {
      method: 'POST',
      headers: { origin, authorization: basic(key), 'content-type': 'text/plain' },
      body,
    });

  it("answers a preflight from an origin any source allows, with the SDKs' headers and a max age", async () => {
    const response = await preflight('/v1/t', BLOG);

    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': BLOG,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'Retry-After, X-RateLimit-Reset',
      vary: 'Origin',
    });
    const allowed = response.headers.get('access-control-allow-headers')?.split(/,\s*/) ?? [];
    expect(allowed).toEqual(expect.arrayContaining([...CORS_ALLOWED_HEADERS]));
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-retry-count', 'anonymousid', 'sentat']),
    );
  });

  it('answers a preflight from an origin only the collector-wide list allows when a source has no list of its own', async () => {
    const response = await preflight('/v1/batch', GLOBAL);

    expect(response.headers.get('access-control-allow-origin')).toBe(GLOBAL);
  });

  it('leaves Access-Control-Allow-Origin out of a preflight from an origin no source allows', async () => {
    const response = await preflight('/v1/t', 'https://evil.example');

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows GET in the preflight of /sourceConfig/', async () => {
    const response = await preflight('/sourceConfig/?writeKey=key-shop', SHOP);

    expect(response.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it("refuses with a readable 403 a page whose origin the write key's source does not allow, and writes nothing", async () => {
    const before = (await collector.records()).length;
    const own = await post('/v1/t', SHOP, 'key-shop');
    const other = await post('/v1/t', BLOG, 'key-shop');

    expect([own.status, other.status]).toEqual([200, 403]);
    expect(own.headers.get('access-control-allow-origin')).toBe(SHOP);
    // BLOG is allowed by another source, so the page can read why it was refused.
    expect(other.headers.get('access-control-allow-origin')).toBe(BLOG);
    expect(await other.json()).toEqual({
      error: `Origin ${BLOG} may not send events for source "shop": add it to the source's allowedOrigins`,
    });
    expect((await collector.records()).length).toBe(before + 1);
  });

  it.each([
    ['401 for an unknown write key', 401, () => post('/v1/t', SHOP, 'key-unknown')],
    ['413 for a body over the limit', 413, () => post('/v1/t', SHOP, 'key-shop', 'x'.repeat(2048))],
    [
      '429 when the stream throttles',
      429,
      () => {
        fault.errorCode = 'ProvisionedThroughputExceededException';
        return post('/v1/t', SHOP, 'key-shop');
      },
    ],
    [
      '503 when the stream fails',
      503,
      () => {
        fault.errorCode = 'InternalFailure';
        return post('/v1/t', SHOP, 'key-shop');
      },
    ],
  ])('carries CORS headers on a %s', async (_, status, send) => {
    const response = await send();

    expect(response.status).toBe(status);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After, X-RateLimit-Reset');
    if (status === 429 || status === 503) expect(response.headers.get('retry-after')).toBe('3');
  });

  it.each([
    ['?writeKey=', '/sourceConfig/?writeKey=key-blog', {}],
    ['Basic auth', '/sourceConfig/?p=npm&v=3.34.1', { authorization: basic('key-blog') }],
    ['a stage prefix', '/prod/sourceConfig/?writeKey=key-blog', {}],
  ])('answers a RudderStack source config for the write key given by %s', async (_, path, headers) => {
    const response = await fetch(`${collector.url}${path}`, { headers: { origin: BLOG, ...headers } });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(BLOG);
    // What the v3 SDK checks before it starts (isValidSourceConfig), and what would stop it.
    expect(await response.json()).toMatchObject({
      source: {
        id: 'blog',
        enabled: true,
        config: { statsCollection: expect.any(Object) },
        destinations: [],
      },
    });
  });

  it('refuses a source config for an unknown write key with 401', async () => {
    const response = await fetch(`${collector.url}/sourceConfig/?writeKey=key-unknown`, {
      headers: { origin: SHOP },
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
  });

  it.each([
    ['at the root', '/v1/projects/key-blog/settings', '/v1'],
    ['under a stage prefix', '/prod/v1/projects/key-blog/settings', '/prod/v1'],
  ])(
    "answers analytics.js's settings %s: events back to this host over http, no telemetry, CORS, cacheable",
    async (_, path, apiPath) => {
      const response = await fetch(`${collector.url}${path}`, { headers: { origin: BLOG } });

      const host = new URL(collector.url).host;
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(BLOG);
      expect(response.headers.get('cache-control')).toBe('private, max-age=300');
      expect(await response.json()).toEqual({
        integrations: {
          'Segment.io': {
            apiKey: 'key-blog',
            apiHost: `${host}${apiPath}`,
            protocol: 'http',
            addBundledMetadata: false,
            unbundledIntegrations: [],
          },
        },
        metrics: { sampleRate: 0, host: `${host}${apiPath}`, protocol: 'http' },
        remotePlugins: [],
        enabledMiddleware: {},
      });
    },
  );

  it('answers the settings of an unknown write key with a readable 404 that says what to check', async () => {
    const response = await fetch(`${collector.url}/v1/projects/key-unknown/settings`, {
      headers: { origin: SHOP },
    });

    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /^No settings for this write key: .*analytics\.load/,
    );
  });

  it("refuses the settings with a 403 to a page whose origin the write key's source does not allow", async () => {
    const response = await fetch(`${collector.url}/v1/projects/key-shop/settings`, {
      headers: { origin: BLOG },
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: `Origin ${BLOG} may not send events for source "shop": add it to the source's allowedOrigins`,
    });
  });

  it('answers 405 to a POST on the settings path', async () => {
    const response = await fetch(`${collector.url}/v1/projects/key-shop/settings`, { method: 'POST' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, OPTIONS');
  });

  it('answers 405 to a POST on /sourceConfig/ and to a GET on an event path', async () => {
    const onConfig = await fetch(`${collector.url}/sourceConfig/?writeKey=key-shop`, { method: 'POST' });
    const onEvents = await fetch(`${collector.url}/v1/track`, {
      headers: { authorization: basic('key-shop') },
    });

    expect([onConfig.status, onEvents.status]).toEqual([405, 405]);
    expect(onConfig.headers.get('allow')).toBe('GET, OPTIONS');
    expect(onEvents.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
