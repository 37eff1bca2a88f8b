import { TEST_WRITE_KEY } from '../support/test-collector';
import { expectEachDeliveredOnce, FailFirstWrites, sentEvents, waitUntil } from './delivery';
import { useBrowserSite } from './site';

const CALLS = ['alias', 'group', 'identify', 'page', 'screen', 'track'];
const BATCHING = { strategy: 'batching', config: { size: 20, timeout: 300 } };

interface RunOptions {
  readonly deliveryStrategy?: typeof BATCHING;
  readonly faults?: FailFirstWrites;
  /** No inline settings: analytics.js loads them from the collector, its `cdnURL`. */
  readonly settingsFromCollector?: boolean;
}

describe('@segment/analytics-next 1.84.3 in Debian Chromium', () => {
  const rig = useBrowserSite();

  /** Loads the page from the site's origin, makes every call, and waits until the stream has them all. */
  async function run(options: RunOptions = {}) {
    const collector = await rig.collector(options.faults);
    const { context, page, log, pageErrors } = await rig.open('analytics-next');
    const tag = `ajs${rig.runs}`;
    const messageIds = await page.evaluate(
      (options) =>
        (
          globalThis as unknown as { runAnalyticsNext(o: typeof options): Promise<string[]> }
        ).runAnalyticsNext(options),
      {
        writeKey: TEST_WRITE_KEY,
        apiHost: `${new URL(collector.url).host}/v1`,
        cdnURL: options.settingsFromCollector ? collector.url : rig.site.url,
        settingsFromCdn: options.settingsFromCollector,
        deliveryStrategy: options.deliveryStrategy,
        tag,
      },
    );
    const posts = () => log.to(collector.url).filter((entry) => entry.method === 'POST');
    const sent = () => sentEvents(posts().map((entry) => ({ url: entry.url, body: entry.postData })));
    await waitUntil(
      'every call is in the stream and in a request the collector answered 200, and none is pending',
      async () => {
        if (posts().some((entry) => entry.status === undefined && entry.failure === undefined)) return false;
        // The browser's report of a request can trail the collector's write under load: wait for both.
        const answered = sentEvents(
          posts()
            .filter((entry) => entry.status === 200)
            .map((entry) => ({ url: entry.url, body: entry.postData })),
        );
        if (!messageIds.every((id) => answered.some((event) => event.messageId === id))) return false;
        const records = await collector.records();
        return messageIds.every((id) => records.some((record) => record.json.event_id === id));
      },
      { state: () => ({ requests: log.entries, pageErrors }) },
    );
    const result = { tag, messageIds, sent: sent(), records: await collector.records(), posts: posts(), log };
    await context.close();
    return { ...result, pageErrors };
  }

  it('delivers every call type exactly once with the default delivery, through CORS, without leaving loopback', async () => {
    const { tag, messageIds, sent, records, posts, log, pageErrors } = await run();

    expect(pageErrors).toEqual([]);
    expect(sent.map((event) => event.messageId).sort()).toEqual([...messageIds].sort());
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(posts.map((entry) => new URL(entry.url).pathname).sort()).toEqual(
      expect.arrayContaining(['/v1/a', '/v1/g', '/v1/i', '/v1/p', '/v1/s', '/v1/t']),
    );
    expect(posts.filter((entry) => entry.status !== 200)).toEqual([]);
    const byType = new Map(records.map((record) => [record.json.type, record]));
    expect(byType.get('track')?.json).toMatchObject({
      event: 'Order Completed',
      properties: { marker: `${tag}-track`, unicode: 'héllo — 日本語 🎉' },
    });
    // analytics-next sends the current user as the alias' userId (docs: sdk-wire-format.md).
    expect(byType.get('alias')).toMatchObject({
      partitionKey: `user-${tag}`,
      json: { user_id: `user-${tag}`, previous_id: `user-${tag}` },
    });
    expect(byType.get('page')?.json).toMatchObject({ name: 'Home', properties: { category: 'Docs' } });
    expect(byType.get('group')?.json).toMatchObject({ group_id: `group-${tag}`, traits: { plan: 'pro' } });
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);

  it('delivers every call type exactly once with no inline settings, cdnURL being the collector', async () => {
    const { messageIds, sent, records, posts, log, pageErrors } = await run({ settingsFromCollector: true });

    expect(pageErrors).toEqual([]);
    expect(sent.map((event) => event.messageId).sort()).toEqual([...messageIds].sort());
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(posts.filter((entry) => entry.status !== 200)).toEqual([]);
    expect(
      log.entries.filter((entry) => entry.method === 'GET' && /\/settings$/.test(entry.url)),
    ).toHaveLength(1);
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);

  it('delivers every call type exactly once with the batching delivery strategy', async () => {
    const { messageIds, sent, records, posts, log, pageErrors } = await run({ deliveryStrategy: BATCHING });

    expect(pageErrors).toEqual([]);
    expect(sent.map((event) => event.messageId).sort()).toEqual([...messageIds].sort());
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(new Set(posts.map((entry) => new URL(entry.url).pathname))).toEqual(new Set(['/v1/b']));
    expect(posts.filter((entry) => entry.status !== 200)).toEqual([]);
    expect(log.offLoopback()).toEqual([]);
  }, 30_000);

  it.each([
    ['the default delivery', undefined],
    ['the batching delivery strategy', BATCHING],
  ])(
    'retries a request answered 503 with %s, and each event lands once',
    async (_, deliveryStrategy) => {
      const faults = new FailFirstWrites(1);
      const { messageIds, sent, records, posts, log } = await run({ deliveryStrategy, faults });

      expect(faults.injected).toBe(1);
      const failed = posts.filter((entry) => entry.status === 503);
      expect(failed).toHaveLength(1);
      const retried = sentEvents([{ url: failed[0]?.url ?? '', body: failed[0]?.postData ?? null }]);
      const delivered = sentEvents(
        posts
          .filter((entry) => entry.status === 200)
          .map((entry) => ({ url: entry.url, body: entry.postData })),
      );
      expect(delivered.map((event) => event.messageId)).toEqual(
        expect.arrayContaining(retried.map((event) => event.messageId)),
      );
      expect(sent.map((event) => event.messageId).sort()).toEqual([...messageIds].sort());
      expectEachDeliveredOnce(sent, records);
      expect(log.offLoopback()).toEqual([]);
    },
    30_000,
  );
});
