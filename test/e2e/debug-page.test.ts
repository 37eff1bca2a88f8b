import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Browser, Page } from 'playwright-core';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { createHandler } from '../../lambda/handler';
import { type LocalMode, localModeSettings, startLocalMode } from '../../local/local-mode';
import { RequestLog, sharedBrowser } from '../support/browser';
import { startTestKinesis } from '../support/test-collector';
import { allowOnlyOrigin, waitUntil } from './delivery';
import { startTestSite, type TestSite } from './site';

const WRITE_KEY = 'debug-page-write-key-5f1c';
/** How long the page may take to show an event. */
const SHOWN_WITHIN_MS = 10_000;
/** `WRITE_DOCS_SCREENSHOTS=1` writes the page's screenshots to docs/images (committed); else they are only checked. */
const SCREENSHOT_DIR =
  process.env.WRITE_DOCS_SCREENSHOTS === '1' ? join(__dirname, '../../docs/images') : undefined;

/** Console errors and warnings, and uncaught exceptions, of a page: the page must have none. */
function consoleProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}

function keepScreenshot(name: string, png: Buffer): void {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  if (SCREENSHOT_DIR === undefined) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(SCREENSHOT_DIR, name), png);
}

describe('the live events page of local mode (/_debug) in Debian Chromium', () => {
  let browser: Browser;
  let site: TestSite;
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let local: LocalMode;

  beforeAll(async () => {
    [browser, site, kinesis] = await Promise.all([sharedBrowser(), startTestSite(), startTestKinesis()]);
    const settings = localModeSettings({
      PORT: '0',
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: `debug-page-${process.pid}`,
      SHARD_COUNT: '2',
      WRITE_KEY,
    });
    // Local mode's own wiring (streams, /_debug, hooks), with the handler built the way the tests
    // build it: the site's origin allowed, logs silent.
    local = await startLocalMode(settings, async (input) => {
      const config = parseRuntimeConfig(allowOnlyOrigin(site.url)(input));
      const writerOf = (destination: (typeof config.destinations)[number], streamName: string) =>
        new KinesisRecordWriter({
          client: createKinesisClient(destination),
          streamName,
          backoff: config.delivery,
        });
      const writers = new Map<string, RecordWriter>(
        config.destinations.map((destination) => [
          destination.id,
          writerOf(destination, destination.streamName),
        ]),
      );
      // Refused events are kept in each destination's failed-events stream, as the Lambda does.
      const failedWriters = new Map<string, RecordWriter>(
        config.destinations.flatMap((destination) =>
          destination.failedStreamName === undefined
            ? []
            : [[destination.id, writerOf(destination, destination.failedStreamName)] as const],
        ),
      );
      const logger = new Logger({ serviceName: 'debug-page-test', logLevel: 'SILENT' });
      return createHandler({ config, writers, failedWriters, logger });
    });
  }, 600_000);
  afterAll(async () => {
    await local?.stop();
    await browser?.close();
    await site?.stop();
    await kinesis?.stop();
  });

  it('shows an event sent by analytics-next as accepted with its JSON and an invalid one as rejected with its reason, live and without the write key', async () => {
    // Prepare: the page is open before anything is sent, so both events arrive live.
    const context = await browser.newContext();
    const log = await RequestLog.attach(context);
    const debug = await context.newPage();
    await debug.goto(local.debugUrl);
    await debug.waitForSelector('#connection[data-state="open"]', { timeout: SHOWN_WITHIN_MS });
    const shop = await context.newPage();
    await shop.goto(site.pageUrl('analytics-next'));

    // Act: analytics-next sends its calls; a curl-style request sends a track without an event name.
    const messageIds = await shop.evaluate(
      (options) =>
        (
          globalThis as unknown as { runAnalyticsNext(o: typeof options): Promise<string[]> }
        ).runAnalyticsNext(options),
      {
        writeKey: WRITE_KEY,
        apiHost: `${new URL(local.collectorUrl).host}/v1`,
        cdnURL: site.url,
        tag: 'debug',
      },
    );
    // The shop's tab opened last and is in front: back to the live page, as a developer would
    // switch to it. Chromium throttles a background tab, so each wait on the page below took
    // ~1.7 s where the page needs a few ms (8 s of the test's 13 s, the worker idle).
    await debug.bringToFront();
    const invalid = await fetch(`${local.collectorUrl}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({
        messageId: 'invalid-1',
        userId: 'user-bad',
        writeKey: WRITE_KEY,
        properties: {},
      }),
    });
    const answer = (await invalid.json()) as { rejected: { reason: string }[] };

    // Assess
    const trackId = messageIds[1] as string;
    const accepted = debug.locator(`.entry[data-status="accepted"][data-event-id="${trackId}"]`);
    await accepted.waitFor({ timeout: SHOWN_WITHIN_MS });
    await accepted.locator('.row').click();
    const shownJson = async () => JSON.parse((await accepted.locator('pre.json').textContent()) ?? 'null');
    // Empty fields hidden by default (user_id: null and the like), counted in the detail's line.
    const acceptedJson = await shownJson();
    expect(acceptedJson).toMatchObject({
      event_id: trackId,
      type: 'track',
      event: 'Order Completed',
      properties: { marker: 'debug-track', unicode: 'héllo — 日本語 🎉' },
      source_id: 'dev',
    });
    expect(acceptedJson).not.toHaveProperty('user_id');
    expect(await accepted.locator('.meta').textContent()).toMatch(/ · \d+ empty fields? hidden$/);
    await debug.getByLabel('hide empty fields').uncheck();
    expect(await shownJson()).toMatchObject({ ...acceptedJson, user_id: null });
    await debug.getByLabel('hide empty fields').check();
    expect(await shownJson()).toEqual(acceptedJson);
    expect(await accepted.locator('.status').textContent()).toBe('accepted');
    expect(await accepted.locator('pre.json').textContent()).toContain('\n  "event_id"');

    expect(invalid.status).toBe(400);
    const reason = answer.rejected[0]?.reason as string;
    expect(reason).toEqual(expect.any(String));
    // Shown at once from the answer, then marked (same row) once read back from the failed-events stream.
    const rejected = debug.locator('.entry[data-status="rejected"][data-event-id="invalid-1"]');
    await rejected.waitFor({ timeout: SHOWN_WITHIN_MS });
    await debug
      .locator('.entry[data-status="rejected"][data-kept="true"][data-event-id="invalid-1"]')
      .waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await rejected.locator('.status').textContent()).toBe('refused');
    // A single-event request's message names no type: the path's (/v1/track) shows.
    expect(await rejected.locator('.type').textContent()).toBe('track');
    expect(await rejected.locator('.where.reason').textContent()).toBe(`failed stream ${reason}`);
    expect(await debug.locator('.entry[data-event-id="invalid-1"]').count()).toBe(1);
    await rejected.locator('.row').click();
    expect(JSON.parse((await rejected.locator('pre.json').textContent()) ?? 'null')).toEqual({
      messageId: 'invalid-1',
      userId: 'user-bad',
      writeKey: '[redacted]',
    });
    expect(await rejected.locator('.meta').textContent()).toMatch(/ · 1 empty field hidden$/);

    // A body that is not JSON: refused, typed by its path, expanded to the body as text (escaped).
    const notJson = '{"event":"<b>Bold</b>","userId":"u-raw",';
    const malformed = await fetch(`${local.collectorUrl}/v1/page`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: notJson,
    });
    expect(malformed.status).toBe(400);
    const rawRow = debug.locator('.entry[data-status="rejected"]', { hasText: 'raw request body' });
    await rawRow.waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await rawRow.locator('.type').textContent()).toBe('page');
    await rawRow.locator('.row').click();
    expect(await rawRow.locator('pre.json').textContent()).toBe(JSON.stringify(notJson));
    expect(await rawRow.locator('pre.json b').count()).toBe(0);

    await waitUntil(
      'every analytics-next call is on the page',
      async () => (await debug.locator('.entry[data-status="accepted"]').count()) >= messageIds.length,
      { timeoutMs: SHOWN_WITHIN_MS },
    );
    expect(await debug.content()).not.toContain(WRITE_KEY);
    expect(log.offLoopback()).toEqual([]);
    await context.close();
  }, 60_000);

  /** Sends a batch the way analytics-node does; resolves with the collector's answer. */
  async function sendBatch(
    batch: readonly Record<string, unknown>[],
  ): Promise<{ status: number; body: unknown }> {
    const answer = await fetch(`${local.collectorUrl}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });
    return { status: answer.status, body: await answer.json() };
  }

  it('lists a bulk batch and named events as collapsed rows, narrowed by search and filters, held back by Pause, expanded by a click, at 1440 and 375 px without console errors', async () => {
    // Prepare: the page is open, then a bulk batch (more than the page keeps) and a few named events.
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    const problems = consoleProblems(page);
    await page.goto(local.debugUrl);
    await page.waitForSelector('#connection[data-state="open"]', { timeout: SHOWN_WITHIN_MS });
    const run = `r${Date.now().toString(36)}`;
    const bulk = Array.from({ length: 250 }, (_, index) => ({
      type: 'track',
      event: 'Bulk Item Viewed',
      userId: `bulk-user-${index % 7}`,
      messageId: `${run}-bulk-${index}`,
      properties: { index },
    }));
    const named = [
      {
        type: 'track',
        event: 'Checkout Started',
        userId: 'ada',
        messageId: `${run}-checkout`,
        properties: { total: 42 },
      },
      { type: 'page', name: 'Pricing', anonymousId: 'anon-42', messageId: `${run}-pricing` },
      { type: 'identify', userId: 'grace', traits: { plan: 'platinum-ox' }, messageId: `${run}-identify` },
      { type: 'track', userId: 'mallory', messageId: `${run}-refused`, properties: {} },
    ];
    expect((await sendBatch(bulk)).status).toBe(200);
    // Refused events show at once, accepted ones once read back: let the bulk land first.
    await waitUntil(
      'the page keeps the last 200 events of the bulk batch',
      async () => (await page.locator(`.entry[data-event-id^="${run}-bulk-"]`).count()) === 200,
      { timeoutMs: SHOWN_WITHIN_MS },
    );
    const answer = await sendBatch(named);
    expect(answer.status).toBe(200);
    const entry = (id: string, status = 'accepted') =>
      page.locator(`.entry[data-status="${status}"][data-event-id="${run}-${id}"]`);
    for (const id of ['checkout', 'pricing', 'identify']) {
      await entry(id).waitFor({ timeout: SHOWN_WITHIN_MS });
    }
    // The refused event: at once from the collector's answer, then marked once its record is read
    // back from the failed-events stream (the same row, not a second one).
    await entry('refused', 'rejected').waitFor({ timeout: SHOWN_WITHIN_MS });
    await page
      .locator(`.entry[data-status="rejected"][data-kept="true"][data-event-id="${run}-refused"]`)
      .waitFor({ timeout: SHOWN_WITHIN_MS });

    // Assess: compact collapsed rows, and no more of them than the page keeps.
    await waitUntil(
      'the page keeps its last 200 events',
      async () => (await page.locator('.entry').count()) === 200,
      {
        timeoutMs: SHOWN_WITHIN_MS,
      },
    );
    const checkout = entry('checkout');
    expect(await checkout.locator('.row > span').allTextContents()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3}$/),
      'accepted',
      'track',
      'Checkout Started',
      'ada',
      'dev',
      expect.stringMatching(/^pk=ada · shard \d$/),
    ]);
    expect(await entry('pricing').locator('.user').textContent()).toBe('anon:anon-42');
    expect(await entry('pricing').locator('.name').textContent()).toBe('Pricing');
    expect(await entry('refused', 'rejected').locator('.status').textContent()).toBe('refused');
    const reason = (answer.body as { rejected: { reason: string }[] }).rejected[0]?.reason;
    expect(await entry('refused', 'rejected').locator('.where.reason').textContent()).toBe(
      `failed stream ${reason}`,
    );
    expect(await entry('refused', 'rejected').locator('.kept').getAttribute('title')).toMatch(
      /^written to the failed-events stream: shardId-\d+ · \d+$/,
    );
    expect(await page.locator(`.entry[data-event-id="${run}-refused"]`).count()).toBe(1);
    expect(await checkout.locator('.row').getAttribute('aria-expanded')).toBe('false');
    expect(await checkout.locator('.detail').isHidden()).toBe(true);
    const listed = await page.locator('main').textContent();
    expect(listed).not.toContain('received_at');
    expect(listed).not.toContain('event_id');
    const rowHeight = (await checkout.boundingBox())?.height ?? 0;
    expect(rowHeight).toBeLessThan(40);

    // Search on a visible field, then on JSON text only, then quick filters by status and type.
    const visibleIds = async () =>
      page
        .locator('.entry:visible')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-event-id')));
    await page.getByRole('searchbox').fill('Checkout Started');
    expect(await visibleIds()).toEqual([`${run}-checkout`]);
    await page.getByRole('searchbox').fill('platinum-ox');
    expect(await visibleIds()).toEqual([`${run}-identify`]);
    await page.getByRole('searchbox').fill('');
    expect(await page.locator('.entry:visible').count()).toBe(200);
    await page.locator('.chip[data-status="rejected"]').click();
    const refusedOnly = await page
      .locator('.entry:visible')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-status')));
    expect(new Set(refusedOnly)).toEqual(new Set(['rejected']));
    expect(await visibleIds()).toContain(`${run}-refused`);
    await page.locator('.chip[data-status="rejected"]').click();
    await page.getByLabel('Type').selectOption('page');
    expect(await visibleIds()).toEqual([`${run}-pricing`]);
    await page.getByLabel('Type').selectOption('');

    // Pause: new events are counted, not shown; Resume shows them.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await sendBatch(
      [1, 2, 3].map((n) => ({
        type: 'track',
        event: 'Late Event',
        userId: 'late',
        messageId: `${run}-late-${n}`,
      })),
    );
    await page.getByRole('button', { name: '3 new' }).waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await page.locator(`.entry[data-event-id^="${run}-late-"]`).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    expect(await page.locator(`.entry[data-event-id^="${run}-late-"]`).count()).toBe(3);
    expect(await page.locator('#new-count').isHidden()).toBe(true);
    expect(await page.locator('.entry').count()).toBe(200);

    // A click shows the envelope, coloured, with a copy button; Enter toggles a row from the keyboard.
    await checkout.locator('.row').click();
    expect(await checkout.locator('.row').getAttribute('aria-expanded')).toBe('true');
    const shownJson = JSON.parse((await checkout.locator('pre.json').textContent()) ?? 'null');
    expect(shownJson).toMatchObject({
      event_id: `${run}-checkout`,
      type: 'track',
      event: 'Checkout Started',
      user_id: 'ada',
      properties: { total: 42 },
      source_id: 'dev',
    });
    expect(await checkout.locator('pre.json .j-key').count()).toBeGreaterThan(10);
    await checkout.getByRole('button', { name: 'Copy JSON' }).click();
    await checkout.getByRole('button', { name: 'Copied' }).waitFor();
    expect(JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()'))).toEqual(shownJson);
    const pricingRow = entry('pricing').locator('.row');
    await pricingRow.focus();
    await page.keyboard.press('Enter');
    expect(await pricingRow.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await pricingRow.getAttribute('aria-expanded')).toBe('false');
    const below = await entry('pricing').evaluate((item) => item.nextElementSibling?.getAttribute('data-id'));
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate("document.activeElement?.closest('.entry')?.getAttribute('data-id')")).toBe(
      below,
    );
    await page.locator('body').press('/');
    expect(await page.evaluate('document.activeElement?.id')).toBe('search');

    // Counters of the last minute and the sparkline.
    // Wait for the counters' next tick by what it shows, not by a fixed time: a busy machine is late.
    await page.waitForFunction(
      "Number(document.querySelector('#rate-accepted')?.textContent) >= 256 && Number(document.querySelector('#rate-rejected')?.textContent) >= 1 && document.querySelector('#sparkline .all')?.getAttribute('points')?.split(' ').length === 30",
      undefined,
      { timeout: 15_000 },
    );
    expect(Number(await page.locator('#rate-accepted').textContent())).toBeGreaterThanOrEqual(256);
    expect(Number(await page.locator('#rate-rejected').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await page.locator('#rate-failed').textContent())).toBeGreaterThanOrEqual(1);
    expect((await page.locator('#sparkline .all').getAttribute('points'))?.split(' ')).toHaveLength(30);

    // At 1440 px each column header starts where its column does (within a pixel).
    const lefts = (selector: string) =>
      page.locator(selector).evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().left));
    const headerLefts = await lefts('.columns > span');
    const cellLefts = await lefts('.entry:visible >> nth=0 >> .row > span');
    expect(headerLefts).toHaveLength(7);
    expect(cellLefts).toHaveLength(7);
    for (const [index, left] of headerLefts.entries()) {
      expect(Math.abs(left - (cellLefts[index] as number))).toBeLessThanOrEqual(1);
    }

    // Readable at 1440 px and at 375 px: nothing wider than the screen.
    await page.getByRole('searchbox').blur();
    keepScreenshot('live-events.png', await page.screenshot());
    await page.setViewportSize({ width: 375, height: 812 });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const narrow = await checkout.locator('.name').boundingBox();
    expect(narrow?.width).toBeGreaterThan(100);
    expect((narrow?.x ?? 0) + (narrow?.width ?? 0)).toBeLessThanOrEqual(375);
    await page.evaluate('window.scrollTo(0, 0)');
    keepScreenshot('live-events-375.png', await page.screenshot());

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
