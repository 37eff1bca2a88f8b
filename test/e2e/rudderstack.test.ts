import { TEST_WRITE_KEY } from '../support/test-collector';
import { expectEachDeliveredOnce, FailFirstWrites, sentEvents, waitUntil } from './delivery';
import { useBrowserSite } from './site';

/** The browser SDK's calls: it has no `screen`. */
const CALLS = ['alias', 'group', 'identify', 'page', 'track'];

interface RunOptions {
  readonly useBeacon?: boolean;
  readonly faults?: FailFirstWrites;
}

describe('@rudderstack/analytics-js 3.34.1 (bundled) in Debian Chromium', () => {
  const rig = useBrowserSite();

  /** Loads the page from the site's origin, makes every call, and waits until the stream has them all. */
  async function run(options: RunOptions = {}) {
    const collector = await rig.collector(options.faults);
    const { context, log, page, pageErrors } = await rig.open('rudderstack', /\/beacon\//);
    const tag = `rs${rig.runs}`;
    await page.evaluate(
      (options) =>
        (globalThis as unknown as { runRudderStack(o: typeof options): Promise<void> }).runRudderStack(
          options,
        ),
      { writeKey: TEST_WRITE_KEY, dataPlaneUrl: collector.url, useBeacon: options.useBeacon ?? false, tag },
    );
    const posts = () => log.to(collector.url).filter((entry) => entry.method === 'POST');
    const sent = () => sentEvents(posts().map((entry) => ({ url: entry.url, body: entry.postData })));
    await waitUntil(
      'every call is in the stream and no request to the collector is pending',
      async () => {
        if (posts().some((entry) => entry.status === undefined && entry.failure === undefined)) return false;
        const events = sent();
        if (events.length < CALLS.length) return false;
        const records = await collector.records();
        return events.every((event) => records.some((record) => record.json.event_id === event.messageId));
      },
      { state: () => ({ requests: log.entries, pageErrors }) },
    );
    const result = { tag, sent: sent(), records: await collector.records(), posts: posts(), log, pageErrors };
    await context.close();
    return { ...result, collector };
  }

  it('starts from the collector alone and delivers every call type exactly once over XHR, through CORS', async () => {
    const { tag, sent, records, posts, log, pageErrors, collector } = await run();

    expect(pageErrors).toEqual([]);
    const configRequests = log
      .to(collector.url, /\/sourceConfig\/$/)
      .filter((entry) => entry.method === 'GET');
    expect(configRequests.map((entry) => entry.status)).toEqual([200]);
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(posts.map((entry) => new URL(entry.url).pathname).sort()).toEqual(
      ['/v1/alias', '/v1/group', '/v1/identify', '/v1/page', '/v1/track'].sort(),
    );
    expect(posts.filter((entry) => entry.status !== 200)).toEqual([]);
    const byType = new Map(records.map((record) => [record.json.type, record]));
    // Anonymous RudderStack events carry userId "": the partition key is the anonymousId.
    const track = sent.find((event) => event.type === 'track');
    expect(track?.userId).toBe('');
    expect(byType.get('track')).toMatchObject({
      partitionKey: track?.anonymousId,
      json: { event: 'Order Completed', user_id: null, properties: { marker: `${tag}-track` } },
    });
    expect(byType.get('track')?.json.original_timestamp).toBe(track?.originalTimestamp);
    expect(byType.get('alias')).toMatchObject({
      partitionKey: `user-${tag}-renamed`,
      json: { user_id: `user-${tag}-renamed`, previous_id: `user-${tag}` },
    });
    // RudderStack sends identify traits in context.traits only; the envelope has them in traits too.
    expect(byType.get('identify')).toMatchObject({
      partitionKey: `user-${tag}`,
      json: { traits: { email: `${tag}@example.com` }, context: { traits: { email: `${tag}@example.com` } } },
    });
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);

  it('delivers every call type exactly once with sendBeacon (useBeacon), write key in the query string', async () => {
    const { sent, records, posts, log, pageErrors } = await run({ useBeacon: true });

    expect(pageErrors).toEqual([]);
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(posts.length).toBeGreaterThan(0);
    for (const entry of posts) {
      const url = new URL(entry.url);
      expect(`${url.pathname}?${url.searchParams}`).toBe(`/beacon/v1/batch?writeKey=${TEST_WRITE_KEY}`);
      expect(entry.resourceType).toBe('ping');
      expect(entry.status).toBe(200);
    }
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);

  it('retries a request answered 503 over XHR, and each event lands once', async () => {
    const faults = new FailFirstWrites(1);
    const { sent, records, posts, log } = await run({ faults });

    expect(faults.injected).toBe(1);
    const failed = posts.filter((entry) => entry.status === 503);
    expect(failed).toHaveLength(1);
    const [retried] = sentEvents([{ url: failed[0]?.url ?? '', body: failed[0]?.postData ?? null }]);
    const resent = posts.filter(
      (entry) => entry.status === 200 && entry.postData?.includes(retried?.messageId ?? '(none)'),
    );
    expect(resent).toHaveLength(1);
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);
});
