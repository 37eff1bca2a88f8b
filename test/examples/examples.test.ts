import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashValue, LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import { createDynalite } from '../../local/dynalite';
import { emulatedStreams } from '../../local/local-config';
import { emulatorClient, localModeSettings, localRuntimeConfig } from '../../local/local-mode';
import { devWriteKey } from '../../local/local-write-keys';
import { runSuppress } from '../../tools/suppress/run-suppress';
import { docFiles, shellCommands } from '../docs/doc-commands';
import {
  killStarted,
  npmStart,
  type StartedCollector,
  startLocalCollector,
  waitForBanner,
} from '../support/npm-start';
import { readAllRecords, readRawRecords, type StoredRecord } from '../support/stream-reader';
import { useTestKinesis } from '../support/test-collector';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.json'));

/**
 * One kinesalite for every example, reached through the documented `KINESIS_ENDPOINT` (local mode
 * then starts no emulator of its own): an emulator child process per `npm start` cost ~1.5 s of
 * CPU and of start-up each. The examples name streams no other example names (a test below checks).
 */
const sharedKinesis = useTestKinesis();

/**
 * One in-process dynalite for the examples that keep a DynamoDB table (dedup.json's seen table,
 * redaction.json's suppression list), through the documented `DYNAMODB_ENDPOINT`, for the same
 * reason: local mode's dynalite child cost ~1.5 s of CPU per start. Their tables differ by name.
 */
const sharedDynamoDb: { endpoint?: string } = {};
let dynalite: Server | undefined;
beforeAll(async () => {
  const server = createDynalite();
  dynalite = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sharedDynamoDb.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => (dynalite === undefined ? resolve() : dynalite.close(() => resolve()))),
);

/**
 * The examples README.md and docs/*.md start as `npm start -- --config examples/<file>`: they run
 * exactly so (test/docs/commands.test.ts counts on this file for those commands). The others run
 * the same entry with the same arguments, bin/local-collector.ts bundled once per run
 * (test/support/npm-start.ts): their subject is the example, not npm's script wrapper.
 */
const THROUGH_NPM_START = new Set(
  shellCommands(ROOT, docFiles(ROOT)).flatMap(
    ({ text }) => /^npm start -- --config examples\/([\w-]+\.json)$/.exec(text)?.[1] ?? [],
  ),
);

/** The program each example's collector was started with (`npm`, or node for the bundled entry), by file. */
const launchedBy = new Map<string, string>();

/** A running example: send requests to it, read its streams back. */
interface Running {
  readonly started: StartedCollector;
  /** The collector's `http://127.0.0.1:<port>`, for requests `send` cannot make. */
  readonly collectorUrl: string;
  send(
    writeKey: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
  records(stream: string): Promise<StoredRecord[]>;
}

/**
 * Starts the local collector with `--config examples/<file>` (`npm start -- --config ...` for
 * the examples in {@link THROUGH_NPM_START}), runs `scenario`, and stops it.
 */
async function withExample(file: string, scenario: (running: Running) => Promise<void>): Promise<void> {
  const env = {
    PORT: '0',
    KINESIS_ENDPOINT: sharedKinesis.endpoint,
    DYNAMODB_ENDPOINT: sharedDynamoDb.endpoint as string,
  };
  const args = ['--config', `examples/${file}`];
  const started = THROUGH_NPM_START.has(file) ? npmStart(env, args) : await startLocalCollector(env, args);
  launchedBy.set(file, started.child.spawnfile);
  const kinesis: { client?: ReturnType<typeof emulatorClient> } = {};
  try {
    const { collectorUrl, kinesisEndpoint } = await waitForBanner(started);
    kinesis.client = emulatorClient(kinesisEndpoint, 'us-east-1');
    await scenario({
      started,
      collectorUrl,
      send: async (writeKey, path, body) => {
        const response = await fetch(`${collectorUrl}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        });
        return {
          status: response.status,
          json: (await response.json()) as Record<string, unknown>,
          headers: response.headers,
        };
      },
      records: (stream) => readAllRecords(kinesis.client as ReturnType<typeof emulatorClient>, stream),
    });
  } finally {
    kinesis.client?.destroy();
    await killStarted(started);
  }
}

/**
 * A browser's `POST /v1/track` from `origin` to the collector reached as `host` (fetch cannot set
 * `Host`; a browser sends the name it connected to), with its status and headers.
 */
function browserTrack(
  collectorUrl: string,
  options: { host: string; origin: string; writeKey: string; body: unknown },
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const body = JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      `${collectorUrl}/v1/track`,
      {
        method: 'POST',
        headers: {
          host: options.host,
          origin: options.origin,
          authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

const ids = (records: readonly StoredRecord[]) =>
  records.map((record) => String(record.json.event_id)).sort();
const consent = (categories: Record<string, boolean>) => ({ consent: { categoryPreferences: categories } });

/** What each example is for, shown by running it. */
const SCENARIOS: Record<string, () => Promise<void>> = {
  'fan-out.json': () =>
    withExample('fan-out.json', async ({ send, records }) => {
      expect(
        (await send('web-write-key', '/v1/track', { userId: 'u', event: 'E', messageId: 'w' })).status,
      ).toBe(200);
      expect(
        (await send('backend-write-key', '/v1/track', { userId: 'u', event: 'E', messageId: 'b' })).status,
      ).toBe(200);
      const routing = (list: StoredRecord[]) =>
        list.map((r) => `${r.json.event_id}:${r.json.source_id}->${r.json.integration_id}`).sort();
      expect(routing(await records('bar-main'))).toEqual(['b:backend->main', 'w:web->main']);
      expect(routing(await records('bar-archive'))).toEqual(['w:web->archive']);
    }),

  'consent.json': () =>
    withExample('consent.json', async ({ send, records }) => {
      const answer = await send('consent-web-key', '/v1/batch', {
        batch: [
          {
            type: 'track',
            messageId: 'both',
            userId: 'u',
            event: 'E',
            context: consent({ Analytics: true, Advertising: true }),
          },
          {
            type: 'track',
            messageId: 'analytics',
            userId: 'u',
            event: 'E',
            context: consent({ Analytics: true }),
          },
          { type: 'track', messageId: 'none', userId: 'u', event: 'E' },
        ],
      });
      expect({ status: answer.status, json: answer.json }).toEqual({
        status: 200,
        json: { accepted: 3, filtered: 1, rejected: [] },
      });
      expect(ids(await records('consent-analytics'))).toEqual(['analytics', 'both']);
      expect(ids(await records('consent-ads'))).toEqual(['both']);
    }),

  'integrations-filter.json': () =>
    withExample('integrations-filter.json', async ({ send, records }) => {
      const answer = await send('integrations-web-key', '/v1/batch', {
        batch: [
          {
            type: 'track',
            messageId: 'kept',
            userId: 'u',
            event: 'E',
            integrations: { 'Amazon Kinesis': false },
          },
          { type: 'track', messageId: 'off', userId: 'u', event: 'E', integrations: { 'Data Lake': false } },
          { type: 'track', messageId: 'all-off', userId: 'u', event: 'E', integrations: { All: false } },
          {
            type: 'track',
            messageId: 'only-lake',
            userId: 'u',
            event: 'E',
            integrations: { All: false, 'Data Lake': true },
          },
        ],
      });
      expect(answer.json).toMatchObject({ accepted: 4, filtered: 2 });
      expect(ids(await records('lake-events'))).toEqual(['kept', 'only-lake']);
    }),

  'redaction.json': () =>
    withExample('redaction.json', async ({ started, send, records }) => {
      // Suppression: the banner's own command suppresses u-erased before it sends anything.
      const suppress = /npm run suppress -- add .* --endpoint (http:\/\/127\.0\.0\.1:\d+)\)/.exec(
        started.output(),
      );
      expect(suppress).not.toBeNull();
      const suppressed = await runSuppress(
        ['add', '--source', 'web', '--user-id', 'u-erased', '--endpoint', suppress?.[1] as string],
        {},
        () => undefined,
      );
      expect(suppressed).toBe(0);
      const erased = await send('redaction-web-key', '/v1/track', {
        userId: 'u-erased',
        messageId: 'erased',
        event: 'Signed Up',
        properties: { email: 'eve@example.com' },
      });
      expect([erased.status, erased.json.accepted]).toEqual([200, 1]);
      const answer = await send('redaction-web-key', '/v1/identify', {
        userId: 'u',
        messageId: 'r',
        traits: { email: 'Ann@Example.com', plan: 'pro' },
        context: { ip: '203.0.113.9', traits: { email: 'ann@example.com' } },
      });
      expect(answer.status).toBe(200);
      const card = await send('redaction-web-key', '/v1/track', {
        userId: 'u',
        messageId: 'c',
        event: 'Order Completed',
        properties: { card: '4111111111111111' },
      });
      expect(card.status).toBe(200);
      const [record, track] = await records('redacted-events');
      // The local-mode key (docs/privacy.md); both spellings of the address hash equally.
      const hashed = hashValue('ann@example.com', 'hmac-sha256', LOCAL_DEV_HASH_KEY);
      expect(record?.json.traits).toEqual({ email: hashed, plan: 'pro' });
      expect(record?.json.context).toEqual(expect.objectContaining({ traits: { email: hashed } }));
      expect(track?.json.properties).toEqual({ card: '************1111' });
      expect(record?.json.context).not.toHaveProperty('ip');
      expect(JSON.stringify(record?.json)).not.toContain('203.0.113.9');
      expect(ids(await records('redacted-events'))).not.toContain('erased');
    }),

  'enrichment.json': () =>
    withExample('enrichment.json', async ({ started, send, records }) => {
      expect(started.output()).toMatch(/web: .*; enrich bot drop, geo \(bundled database\), device/);
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
      const answer = await send('enrichment-web-key', '/v1/batch', {
        batch: [
          {
            type: 'page',
            messageId: 'person',
            anonymousId: 'a',
            context: { ip: '8.8.8.8', userAgent: firefox },
          },
          {
            type: 'page',
            messageId: 'crawler',
            anonymousId: 'b',
            context: { userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' },
          },
        ],
      });
      expect(answer.json).toEqual({ accepted: 2, filtered: 1, rejected: [] });
      const [record, ...others] = await records('enriched-events');
      expect(others).toEqual([]);
      expect(record?.json.context).toEqual({
        userAgent: firefox,
        location: { country: 'US' },
        browser: { name: 'Firefox', version: '128.0' },
        os: { name: 'Linux' },
        device: { type: 'desktop' },
      });
    }),

  'raw-format.json': () =>
    withExample('raw-format.json', async ({ send, records }) => {
      expect(
        (
          await send('raw-app-key', '/v1/identify', {
            userId: 'raw-user',
            messageId: 'raw-1',
            traits: { a: 1 },
          })
        ).status,
      ).toBe(200);
      const [record] = await records('raw-events');
      expect(record?.json).toMatchObject({
        type: 'identify',
        userId: 'raw-user',
        messageId: 'raw-1',
        traits: { a: 1 },
        context: { kinesis_event_forwarder: { source_id: 'app', integration_id: 'segment-compatible' } },
      });
      expect(record?.json).not.toHaveProperty('event_id');
    }),

  'aggregation.json': () =>
    withExample('aggregation.json', async ({ send, records, started }) => {
      const batch = [1, 2, 3].map((n) => ({
        type: 'track',
        messageId: `agg-${n}`,
        userId: 'same-user',
        event: 'E',
      }));
      expect((await send('aggregation-backend-key', '/v1/batch', { batch })).status).toBe(200);
      expect(ids(await records('aggregated-events'))).toEqual(['agg-1', 'agg-2', 'agg-3']);
      const endpoint = /Kinesis endpoint:\s+(\S+)/.exec(started.output())?.[1] as string;
      const client = emulatorClient(endpoint, 'us-east-1');
      const raw = await readRawRecords(client, 'aggregated-events');
      client.destroy();
      // One KPL aggregated record holds the three events of the same partition key.
      expect(raw).toHaveLength(1);
    }),

  'cross-account.json': () =>
    withExample('cross-account.json', async ({ send, records, started }) => {
      expect(started.output()).toMatch(/External ID:\s+partner-external-id-1234 \(.*this one included\)/);
      expect(
        (await send('cross-account-web-key', '/v1/track', { userId: 'u', event: 'E', messageId: 'x' }))
          .status,
      ).toBe(200);
      expect(ids(await records('partner-events'))).toEqual(['x']);
      const line = /^ {2}(npm run -s check-destination -- .*)$/m.exec(started.output())?.[1] as string;
      expect(line).toContain('--external-id partner-external-id-1234 --sts-endpoint http://127.0.0.1:');
      const { stdout } = await run('sh', ['-c', line], { cwd: ROOT });
      expect(stdout).toContain('OK: the collector can write to "check"');
    }),

  'dedup.json': () =>
    withExample('dedup.json', async ({ send, records, started }) => {
      expect(started.output()).toMatch(/Dedup table:\s+dedup at http:\/\/127\.0\.0\.1:\d+ \(dynalite/);
      const batch = ['d-1', 'd-2', 'd-3'].map((messageId) => ({
        type: 'track',
        messageId,
        userId: 'u',
        event: 'E',
      }));
      const first = await send('dedup-web-key', '/v1/batch', { batch });
      // The SDK's retry of the same batch: every copy is already in the stream.
      const retry = await send('dedup-web-key', '/v1/batch', { batch });
      expect([first.status, first.json.duplicates]).toEqual([200, undefined]);
      expect(retry.json).toMatchObject({ accepted: 3, duplicates: 3 });
      expect(ids(await records('dedup-events'))).toEqual(['d-1', 'd-2', 'd-3']);
    }),

  'rate-limit.json': () =>
    withExample('rate-limit.json', async ({ send, records, started }) => {
      expect(started.output()).toContain(
        'backend (write keys rate****) -> main; rate limit 50 events/s, burst 100, then 429',
      );
      expect(started.output()).toContain(
        'ios-app (write keys rate****) -> main; rate limit 20 events/s, burst 40, then 503',
      );
      const track = (messageId: string) => ({ type: 'track', messageId, userId: 'u', event: 'E' });
      const batchOf = (prefix: string, count: number) => ({
        batch: Array.from({ length: count }, (_, n) => track(`${prefix}-${n}`)),
      });
      // 500 events against a bucket of 100 at 50/s: admitted whole, then 8 s owed.
      expect((await send('rate-backend-key', '/v1/batch', batchOf('backend', 500))).status).toBe(200);
      const refused = await send('rate-backend-key', '/v1/track', track('backend-late'));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(7);
      expect(refused.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/);
      // 200 events against 40 at 20/s; this source answers 503, which the classic analytics-ios retries.
      expect((await send('rate-ios-key', '/v1/batch', batchOf('ios', 200))).status).toBe(200);
      expect((await send('rate-ios-key', '/v1/track', track('ios-late'))).status).toBe(503);
      expect((await send('rate-web-key', '/v1/track', track('web'))).status).toBe(200);
      const stored = await records('rate-events');
      expect(stored).toHaveLength(701);
      expect(stored.map((record) => String(record.json.event_id))).not.toContain('backend-late');
    }),

  'tracking-plan.json': () =>
    withExample('tracking-plan.json', async ({ send, records }) => {
      const answer = await send('plan-shop-key', '/v1/batch', {
        batch: [
          {
            type: 'track',
            messageId: 'planned',
            userId: 'u',
            event: 'Order Completed',
            properties: { order_id: 'o-1' },
          },
          {
            type: 'track',
            messageId: 'violating',
            userId: 'u',
            event: 'Order Completed',
            properties: { revenue: 5 },
          },
        ],
      });
      expect(answer.json).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'violating' }] });
      expect(ids(await records('plan-events'))).toEqual(['planned']);
      const [failed] = await records('plan-events-failed');
      expect(failed?.json).toMatchObject({
        event_id: 'violating',
        source_id: 'shop',
        failure: { code: 'plan_violation' },
      });
    }),

  'identity-cookie.json': () =>
    withExample('identity-cookie.json', async ({ started, collectorUrl, records }) => {
      const port = new URL(collectorUrl).port;
      const host = `collect.site.localhost:${port}`;
      const page = 'http://www.site.localhost:8000';
      expect(started.output()).toContain(
        `      identity cookie ajs_anonymous_id on site.localhost, 400 days: set on answers to its allowed origins' pages sent to http://collect.site.localhost:${port} (not 127.0.0.1)`,
      );
      const track = (messageId: string) => ({ anonymousId: `anon-${messageId}`, event: 'Viewed', messageId });

      // The site's page, sending to the collector under the site's domain: the cookie, with credentials.
      const first = await browserTrack(collectorUrl, {
        host,
        origin: page,
        writeKey: 'cookie-web-key',
        body: track('on-site'),
      });
      // The same page sending to 127.0.0.1, and a server source: no cookie.
      const loopback = await browserTrack(collectorUrl, {
        host: `127.0.0.1:${port}`,
        origin: page,
        writeKey: 'cookie-web-key',
        body: track('loopback'),
      });
      const server = await browserTrack(collectorUrl, {
        host,
        origin: page,
        writeKey: 'cookie-server-key',
        body: track('server'),
      });

      expect(first.status).toBe(200);
      expect(first.headers['set-cookie']).toEqual([
        'ajs_anonymous_id=%22anon-on-site%22; Domain=site.localhost; Path=/; Max-Age=34560000; Secure; SameSite=Lax',
      ]);
      expect(first.headers['access-control-allow-origin']).toBe(page);
      expect(first.headers['access-control-allow-credentials']).toBe('true');
      expect([loopback.status, loopback.headers['set-cookie']]).toEqual([200, undefined]);
      expect(server.headers['set-cookie']).toBeUndefined();
      expect(ids(await records('cookie-events'))).toEqual(['loopback', 'on-site', 'server']);
    }),

  'deploy.json': () =>
    withExample('deploy.json', async ({ send, records, started }) => {
      // Key-free, as cdk deploy takes it: each source gets a development key, printed in the banner.
      expect(started.output()).toContain(`    web: ${devWriteKey('web')}`);
      expect(started.output()).toContain(`    server: ${devWriteKey('server')}`);
      const web = await send(devWriteKey('web'), '/v1/batch', {
        batch: [
          {
            type: 'track',
            messageId: 'consented',
            userId: 'u',
            event: 'E',
            context: consent({ Analytics: true }),
          },
          { type: 'track', messageId: 'no-consent', userId: 'u', event: 'E' },
        ],
      });
      const server = await send(devWriteKey('server'), '/v1/batch', {
        batch: [
          {
            type: 'track',
            messageId: 'planned',
            userId: 'u',
            event: 'Order Completed',
            properties: { order_id: 'o-1', total: 5 },
          },
          { type: 'track', messageId: 'blocked', userId: 'u', event: 'Order Completed', properties: {} },
        ],
      });
      expect(web.json).toEqual({ accepted: 2, filtered: 1, rejected: [] });
      expect(server.json).toMatchObject({ accepted: 1, rejected: [{ index: 1, messageId: 'blocked' }] });
      expect(ids(await records('deploy-events'))).toEqual(['consented', 'planned']);
      const [failed] = await records('deploy-events-failed');
      expect(failed?.json).toMatchObject({
        event_id: 'blocked',
        source_id: 'server',
        failure: { code: 'plan_violation' },
      });
    }),
};

describe('the configuration examples in examples/, each run by the local collector (with npm start -- --config where the docs show that)', () => {
  it('has a scenario for every file in examples/, and a file for every scenario', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...EXAMPLES].sort());
  });

  it('names in each example streams no other example names, so they can share one emulator', () => {
    const owners = new Map<string, string[]>();
    for (const file of EXAMPLES) {
      const settings = localModeSettings({}, ['--config', join(ROOT, 'examples', file)]);
      for (const stream of emulatedStreams(localRuntimeConfig(settings)))
        owners.set(stream, [...(owners.get(stream) ?? []), file]);
    }
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
    expect(owners.size).toBeGreaterThanOrEqual(EXAMPLES.length);
  });

  for (const [file, scenario] of Object.entries(SCENARIOS)) {
    it(`runs examples/${file}: events sent are read back where the example says`, scenario, 120_000);
  }

  // After the scenarios above (jest runs a file's tests in order): how each example was started.
  it('started the examples the docs start with npm start -- --config through npm start itself, the others through the same entry bundled', () => {
    // README.md shows fan-out.json; each file the docs name is an example.
    expect(THROUGH_NPM_START).toContain('fan-out.json');
    expect([...THROUGH_NPM_START].filter((file) => !EXAMPLES.includes(file))).toEqual([]);
    expect([...launchedBy.keys()].sort()).toEqual([...EXAMPLES].sort());
    for (const [file, program] of launchedBy)
      expect([file, program]).toEqual([file, THROUGH_NPM_START.has(file) ? 'npm' : process.execPath]);
  });
});
