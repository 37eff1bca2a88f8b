import { Analytics } from '@segment/analytics-node';
import { startTestCollector, TEST_WRITE_KEY, type TestCollector } from '../support/test-collector';
import { expectEachDeliveredOnce, FailFirstWrites, type SentRequest, sentEvents } from './delivery';

const CALLS = ['alias', 'group', 'identify', 'page', 'screen', 'track', 'track'];

interface RunOptions {
  /** analytics-node's `path`; a deployed API's named stage must be in it (`/prod/v1/batch`). */
  readonly path: string;
  readonly faults?: FailFirstWrites;
}

/** Runs the real SDK against the collector: every call type, then `closeAndFlush`. */
async function run(collector: TestCollector, options: RunOptions) {
  const analytics = new Analytics({
    writeKey: TEST_WRITE_KEY,
    host: collector.url,
    path: options.path,
    flushAt: 50,
    maxRetries: 3,
    httpRequestTimeout: 5_000,
  });
  const requests: SentRequest[] = [];
  const statuses: number[] = [];
  const errors: unknown[] = [];
  analytics.on('http_request', (request) => requests.push({ url: request.url, body: request.body }));
  analytics.on('http_response', (response) => statuses.push(response.status));
  analytics.on('error', (error) => errors.push(error));

  const properties = { marker: 'node', revenue: 9.99, unicode: 'héllo — 日本語 🎉 \u2028' };
  analytics.track({ anonymousId: 'anon-node', event: 'Signed Up', properties });
  // Odd but real: analytics-node sends userId "" when asked; the partition key is then the anonymousId.
  analytics.track({ userId: '', anonymousId: 'anon-node-2', event: 'Order Completed', properties });
  analytics.identify({ userId: 'user-node', traits: { email: 'n@example.com' } });
  analytics.page({ userId: 'user-node', category: 'Docs', name: 'Home', properties });
  analytics.screen({ userId: 'user-node', name: 'Welcome', properties });
  analytics.group({ userId: 'user-node', groupId: 'group-node', traits: { plan: 'pro' } });
  analytics.alias({ userId: 'user-node-renamed', previousId: 'user-node' });
  await analytics.closeAndFlush({ timeout: 15_000 });
  return { requests, statuses, errors, sent: sentEvents(requests), records: await collector.records() };
}

describe('@segment/analytics-node 3.1.0', () => {
  const collectors: TestCollector[] = [];
  afterAll(() => Promise.all(collectors.map((collector) => collector.stop())));

  const start = async (faults?: FailFirstWrites) => {
    const collector = await startTestCollector({
      config: (defaults) => ({ ...defaults, delivery: { retryAfterSeconds: 1 } }),
      wrapWriter: faults?.wrap,
    });
    collectors.push(collector);
    return collector;
  };

  it.each([
    ['the default path', '/v1/batch'],
    ['a stage prefix in path, as a named API Gateway stage needs', '/prod/v1/batch'],
  ])('delivers every call type exactly once with host and %s', async (_, path) => {
    const collector = await start();

    const { requests, statuses, errors, sent, records } = await run(collector, { path });

    expect(errors).toEqual([]);
    expect(requests.map((request) => request.url)).toEqual([`${collector.url}${path}`]);
    expect(statuses).toEqual([200]);
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    const emptyUserId = records.find((record) => record.json.anonymous_id === 'anon-node-2');
    expect(emptyUserId).toMatchObject({ partitionKey: 'anon-node-2', json: { user_id: null } });
    expect(records.find((record) => record.json.type === 'alias')).toMatchObject({
      partitionKey: 'user-node-renamed',
      json: { previous_id: 'user-node' },
    });
  });

  it('retries a batch answered 503 with backoff, and each event lands once', async () => {
    const faults = new FailFirstWrites(1);
    const collector = await start(faults);

    const { requests, statuses, errors, sent, records } = await run(collector, { path: '/v1/batch', faults });

    expect(faults.injected).toBe(1);
    expect(errors).toEqual([]);
    expect(statuses).toEqual([503, 200]);
    expect(sentEvents(requests.slice(0, 1))).toEqual(sentEvents(requests.slice(1)));
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
  });
});
