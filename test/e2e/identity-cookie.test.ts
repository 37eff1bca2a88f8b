import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RuntimeConfigInput } from '../../lambda/config/runtime-config';
import { sharedBrowser } from '../support/browser';
import { startTestCollector, TEST_WRITE_KEY, type TestCollector } from '../support/test-collector';
import { waitUntil } from './delivery';
import { startTestSite, type TestSite } from './site';

/**
 * The site and its collector: two loopback servers under one parent domain. Chromium counts
 * `*.localhost` as a secure context and lets it set `Secure` cookies over plain http, so the test
 * runs the cookie exactly as it would be set under https (docs/sdk-usage.md says what this proves).
 */
const DOMAIN = 'site.localhost';
const MAX_AGE_DAYS = 400;

interface Run {
  /** The anonymousId of each call's record, in call order (page, track, screen, identify, ...). */
  readonly anonymousIds: string[];
}

/** The page's global scope, typed for the two Web APIs the test reads (no DOM lib in tsconfig). */
type PageGlobals = { localStorage: { clear(): void }; document: { cookie: string } };

describe('the identity cookie in Debian Chromium, collector and site on different origins of one domain', () => {
  let browser: Browser;
  let site: TestSite;
  let collector: TestCollector;
  let siteOrigin: string;
  let collectorOrigin: string;
  beforeAll(async () => {
    // The shared browser sends every `*.localhost` name, DOMAIN's included, to loopback.
    [browser, site] = await Promise.all([sharedBrowser(), startTestSite()]);
    siteOrigin = `http://www.${DOMAIN}:${new URL(site.url).port}`;
    collector = await startTestCollector({
      config: (defaults: RuntimeConfigInput): RuntimeConfigInput => ({
        ...defaults,
        sources: defaults.sources.map((source) => ({
          ...source,
          allowedOrigins: [siteOrigin],
          identityCookie: { domain: DOMAIN, maxAgeDays: MAX_AGE_DAYS },
        })),
        cors: { allowedOrigins: ['https://elsewhere.example'] },
      }),
    });
    collectorOrigin = `http://collect.${DOMAIN}:${new URL(collector.url).port}`;
  }, 600_000);
  afterAll(async () => {
    await collector?.stop();
    await browser?.close();
    await site?.stop();
  });

  /** Loads analytics.js on the site (settings from the collector), makes every call, waits for the stream. */
  async function runAnalyticsNext(page: Page, tag: string): Promise<Run> {
    await page.goto(`${siteOrigin}/analytics-next.html`);
    const messageIds = await page.evaluate(
      (options) =>
        (
          globalThis as unknown as { runAnalyticsNext(o: typeof options): Promise<string[]> }
        ).runAnalyticsNext(options),
      {
        writeKey: TEST_WRITE_KEY,
        apiHost: `${new URL(collectorOrigin).host}/v1`,
        cdnURL: collectorOrigin,
        settingsFromCdn: true,
        tag,
      },
    );
    let anonymousIds: string[] = [];
    await waitUntil('every call is in the stream', async () => {
      const records = await collector.records();
      const byId = new Map(records.map((record) => [record.json.event_id, record.json.anonymous_id]));
      anonymousIds = messageIds.map((id) => byId.get(id) as string);
      return messageIds.every((id) => byId.has(id));
    });
    return { anonymousIds };
  }

  const identityCookies = async (context: BrowserContext) =>
    (await context.cookies()).filter((cookie) => cookie.name === 'ajs_anonymous_id');

  it('ends with the collector’s 400-day cookie on the site’s domain, and the next page load uses its anonymousId', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const first = await runAnalyticsNext(page, 'cookie1');
      const setAt = Date.now() / 1000;

      const [cookie, ...others] = await identityCookies(context);
      expect(others).toEqual([]);
      expect(cookie).toMatchObject({
        domain: `.${DOMAIN}`,
        path: '/',
        secure: true,
        httpOnly: false,
        sameSite: 'Lax',
      });
      // analytics.js writes its own cookie for 365 days: 400 days is the collector's.
      expect(cookie?.expires).toBeGreaterThan(setAt + MAX_AGE_DAYS * 86_400 - 120);
      expect(cookie?.expires).toBeLessThan(setAt + MAX_AGE_DAYS * 86_400 + 5);
      const id = JSON.parse(decodeURIComponent(cookie?.value ?? '""')) as string;
      expect(new Set(first.anonymousIds)).toEqual(new Set([id]));
      // Not HttpOnly: the page's scripts read it.
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.cookie)).toContain(
        `ajs_anonymous_id=${cookie?.value}`,
      );

      // Only the cookie keeps the id now (analytics.js also keeps it in localStorage).
      await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.clear());
      const second = await runAnalyticsNext(page, 'cookie2');

      // The page view, the new load's first call (its identify of another user resets the id after).
      expect(second.anonymousIds[0]).toBe(id);
    } finally {
      await context.close();
    }
  }, 60_000);
});
