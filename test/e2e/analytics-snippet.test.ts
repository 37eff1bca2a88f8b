import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { min as renderSnippet } from '@segment/snippet';
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_WRITE_KEY } from '../support/test-collector';
import { expectEachDeliveredOnce, sentEvents, waitUntil } from './delivery';
import { useBrowserSite } from './site';

const CALLS = ['alias', 'group', 'identify', 'page', 'screen', 'track'];
/** Where the site serves analytics-next's standalone bundle, copied from the npm package. */
const BUNDLE_PATH = '/js/analytics-next/standalone.js';
const STANDALONE_BUNDLE = require.resolve('@segment/analytics-next/dist/umd/standalone.js');
/** Well past analytics-next's 30 s telemetry flush, run on the page's fake clock in milliseconds. */
const LATER_MS = 5 * 60_000;

/**
 * Runs the page's timers `LATER_MS` ahead, then gives any request they started half a (real)
 * second to show in the log; the control test proves that is long enough to see one.
 */
async function runClockAhead(page: Page): Promise<void> {
  await page.clock.runFor(LATER_MS);
  await sleep(500);
}

function replaceOnce(text: string, search: string, replacement: string): string {
  const parts = text.split(search);
  if (parts.length !== 2)
    throw new Error(`Expected "${search}" once in the snippet, found ${parts.length - 1}`);
  return parts.join(replacement);
}

/**
 * A page with Segment's snippet as Segment renders it (@segment/snippet, with its own page call),
 * set up the way Segment documents a self-hosted analytics.js: the script URL changed to the site's
 * copy of the bundle, and `analytics._cdn` naming where settings come from, here the collector. No
 * settings inline. The other calls are made at once, so the snippet queues them until the bundle runs.
 */
function snippetPage(siteUrl: string, collectorUrl: string, tag: string, writeKey = TEST_WRITE_KEY): string {
  const siteHost = new URL(siteUrl).host;
  const rendered = renderSnippet({
    host: siteHost,
    apiKey: writeKey,
    ajsPath: BUNDLE_PATH,
    page: { category: 'Docs', name: 'Home', properties: { marker: `${tag}-page` } },
  });
  // The snippet always loads the bundle over https; the test site is plain http on loopback.
  const overHttp = replaceOnce(rendered, `"https://${siteHost}${BUNDLE_PATH}"`, `"${siteUrl}${BUNDLE_PATH}"`);
  const snippet = replaceOnce(
    overHttp,
    `analytics.load("${writeKey}")`,
    `analytics._cdn="${collectorUrl}";analytics.load("${writeKey}")`,
  );
  const calls = `
    analytics.track('Order Completed', { marker: '${tag}-track', revenue: 9.99, unicode: 'héllo — 日本語 🎉' });
    analytics.screen('Onboarding', 'Welcome', { marker: '${tag}-screen' });
    analytics.identify('user-${tag}', { email: '${tag}@example.com' });
    analytics.group('group-${tag}', { plan: 'pro' });
    analytics.alias('user-${tag}-renamed', 'user-${tag}');`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>snippet</title>
<script>${snippet}</script>
<script>${calls}</script>
</head><body></body></html>`;
}

/** Drops `metrics` from the collector's settings on their way to the page: what a Segment-less setup would get without it. */
async function withoutMetricsSettings(context: BrowserContext): Promise<void> {
  await context.route('**/v1/projects/*/settings', async (route) => {
    const response = await route.fetch();
    const { metrics: _dropped, ...settings } = (await response.json()) as Record<string, unknown>;
    await route.fulfill({ response, json: settings });
  });
}

describe("Segment's analytics.js snippet, the standalone bundle served by the site, settings from the collector", () => {
  const rig = useBrowserSite();
  let bundle: Buffer;

  beforeAll(async () => {
    bundle = await readFile(STANDALONE_BUNDLE);
  });

  /**
   * Serves the bundle and a snippet page from the site, opens it on a fake clock (time flows on
   * its own until the test runs it ahead), and waits until the stream holds the page's 6 calls.
   */
  async function run(options: { readonly routeSettings?: (context: BrowserContext) => Promise<void> } = {}) {
    const collector = await rig.collector();
    const tag = `snip${rig.runs}`;
    await rig.site.writeFile(BUNDLE_PATH, bundle);
    const url = await rig.site.writeFile(`/${tag}.html`, snippetPage(rig.site.url, collector.url, tag));
    const { context, page, log, pageErrors } = await rig.openUrl(url, {
      beforeNavigation: async (context) => {
        await context.clock.install();
        await options.routeSettings?.(context);
      },
    });
    const posts = () => log.to(collector.url).filter((entry) => entry.method === 'POST');
    const sent = () => sentEvents(posts().map((entry) => ({ url: entry.url, body: entry.postData })));
    await waitUntil(
      'the 6 calls of the page are in the stream and no request to the collector is pending',
      async () => {
        if (posts().some((entry) => entry.status === undefined && entry.failure === undefined)) return false;
        const events = sent();
        if (events.length < CALLS.length) return false;
        const records = await collector.records();
        return events.every((event) => records.some((record) => record.json.event_id === event.messageId));
      },
      { state: () => ({ requests: log.entries, pageErrors }) },
    );
    return { collector, context, page, log, pageErrors, tag, sent: sent(), posts: posts() };
  }

  it('delivers every call type exactly once, and no request leaves the site and the collector, also minutes later', async () => {
    const { collector, context, page, log, pageErrors, tag, sent, posts } = await run();

    const records = await collector.records();
    expect(pageErrors).toEqual([]);
    expect(sent.map((event) => event.type).sort()).toEqual(CALLS);
    expectEachDeliveredOnce(sent, records);
    expect(posts.filter((entry) => entry.status !== 200)).toEqual([]);
    expect(
      records.map((record) => (record.json.properties as { marker?: string } | null)?.marker).sort(),
    ).toEqual([`${tag}-page`, `${tag}-screen`, `${tag}-track`, undefined, undefined, undefined].sort());
    // The settings came from the collector (none inline), once; no bundle chunk was asked of it.
    const gets = log.to(collector.url).filter((entry) => entry.method === 'GET');
    expect(gets.map((entry) => [new URL(entry.url).pathname, entry.status])).toEqual([
      [`/v1/projects/${TEST_WRITE_KEY}/settings`, 200],
    ]);

    // Minutes later for the page: analytics-next's telemetry would have flushed every 30 s.
    await runClockAhead(page);

    const origins = new Set(log.entries.map((entry) => new URL(entry.url).origin));
    expect([...origins].sort()).toEqual([collector.url, rig.site.url].sort());
    expect(log.to(collector.url, /^\/v1\/m$/)).toEqual([]);
    await context.close();
  }, 30_000);

  it('would send telemetry to api.segment.io within the same fast-forwarded minutes if the settings had no metrics', async () => {
    const { context, page, log } = await run({ routeSettings: withoutMetricsSettings });

    await runClockAhead(page);

    expect(log.offLoopback()).toContain('https://api.segment.io/v1/m');
    await context.close();
  }, 30_000);
  it('reports its own load failure to api.segment.io when the write key is unknown, as sdk-usage.md warns', async () => {
    const collector = await rig.collector();
    await rig.site.writeFile(BUNDLE_PATH, bundle);
    const tag = `snip${rig.runs}`;
    const html = snippetPage(rig.site.url, collector.url, tag, 'not-a-write-key');
    const url = await rig.site.writeFile(`/${tag}.html`, html);
    const { context, log } = await rig.openUrl(url);

    await waitUntil('the page has tried to reach api.segment.io', () =>
      log.offLoopback().some((href) => href.startsWith('https://api.segment.io/')),
    );

    const settings = log.to(collector.url, /\/settings$/);
    expect(settings.map((entry) => entry.status)).toEqual([404]);
    expect(log.offLoopback()).toEqual(['https://api.segment.io/v1/m']);
    expect(log.to(collector.url).filter((entry) => entry.method === 'POST')).toEqual([]);
    await context.close();
  }, 30_000);
});
