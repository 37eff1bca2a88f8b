import { Logger } from '@aws-lambda-powertools/logger';
import type { Browser } from 'playwright-core';
import { createCollector } from '../../lambda/collector';
import { createMetrics } from '../../lambda/observability/metrics';
import { type LocalMode, localModeSettings, startLocalMode } from '../../local/local-mode';
import { sharedBrowser } from '../support/browser';
import { startTestKinesis } from '../support/test-collector';
import { waitUntil } from './delivery';

const WRITE_KEY = 'rules-web-key-7d2e';
const EMAIL = 'Ada.Lovelace@Example.com';
/** How long the page may take to show an event. */
const SHOWN_WITHIN_MS = 15_000;

/**
 * Everything `/_debug/events?destination=<id>` replays now, as text. The server writes the whole
 * replay in one go when the stream opens, so the stream is cut once `quietMs` pass without a new
 * chunk (or after `ms` in all), not after a fixed second.
 */
async function feedText(debugUrl: string, destination: string, ms = 1_000, quietMs = 200): Promise<string> {
  const stop = new AbortController();
  const answer = await fetch(`${debugUrl}/events?destination=${destination}`, { signal: stop.signal });
  const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const until = setTimeout(() => stop.abort(), ms);
  let quiet = setTimeout(() => stop.abort(), quietMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      clearTimeout(quiet);
      quiet = setTimeout(() => stop.abort(), quietMs);
    }
  } catch {
    // Cut by the deadline: the replay is in `text`.
  } finally {
    clearTimeout(until);
    clearTimeout(quiet);
  }
  return text;
}

describe('the live events page under field rules (issue 36), with a destination picker, in Debian Chromium', () => {
  let browser: Browser;
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let local: LocalMode;
  const main = `rules-main-${process.pid}`;
  const archive = `rules-archive-${process.pid}`;

  beforeAll(async () => {
    [browser, kinesis] = await Promise.all([sharedBrowser(), startTestKinesis()]);
    const document = {
      sources: [
        {
          id: 'web',
          writeKeys: [WRITE_KEY],
          destinations: ['main', 'archive'],
          pipeline: { redact: { hash: ['*.email'] } },
        },
      ],
      destinations: [
        { id: 'main', streamName: main, failedStreamName: `${main}-failed`, region: 'us-east-1' },
        { id: 'archive', streamName: archive, region: 'us-east-1' },
      ],
    };
    const settings = localModeSettings({
      PORT: '0',
      KINESIS_ENDPOINT: kinesis.endpoint,
      SHARD_COUNT: '1',
      COLLECTOR_CONFIG: JSON.stringify(document),
    });
    // The real collector, as npm start builds it from the document (keyed hashes with the dev key).
    local = await startLocalMode(settings, async (config) =>
      createCollector({
        env: { COLLECTOR_CONFIG: JSON.stringify(config) },
        logger: new Logger({ serviceName: 'debug-page-field-rules', logLevel: 'SILENT' }),
        metrics: createMetrics({ POWERTOOLS_METRICS_DISABLED: 'true' }),
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await local?.stop();
    await browser?.close();
    await kinesis?.stop();
  });

  const send = (path: string, body: string, writeKey = WRITE_KEY) =>
    fetch(`${local.collectorUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
      },
      body,
    }).then((answer) => answer.status);

  it('never shows the plain email of a *.email hash rule (accepted, refused, failed, unparseable, unknown key), and follows the destination picked', async () => {
    // Prepare: the page open on the first destination.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(local.debugUrl);
    await page.waitForSelector('#connection[data-state="open"]', { timeout: SHOWN_WITHIN_MS });
    expect(await page.locator('#destination option').allTextContents()).toEqual([
      `main · ${main}`,
      `archive · ${archive}`,
    ]);

    // Act: the email where analytics-next (traits) and RudderStack (context.traits) put it, in a
    // refused event, in a body that is not JSON, and under a write key of no source.
    const statuses = [
      await send(
        '/v1/identify',
        JSON.stringify({ userId: 'ada', messageId: 'r-next', traits: { email: EMAIL } }),
      ),
      await send(
        '/v1/identify',
        JSON.stringify({ userId: 'ada', messageId: 'r-rudder', context: { traits: { email: EMAIL } } }),
      ),
      await send(
        '/v1/track',
        JSON.stringify({ userId: 'ada', messageId: 'r-refused', properties: { email: EMAIL } }),
      ),
      await send('/v1/track', `{"userId":"ada","properties":{"email":"${EMAIL}"`),
      await send('/v1/identify', JSON.stringify({ userId: 'eve', traits: { email: EMAIL } }), 'no-such-key'),
    ];
    expect(statuses).toEqual([200, 200, 400, 400, 401]);

    // Assess: every row there, the refusals marked once read back from the failed-events stream.
    for (const id of ['r-next', 'r-rudder']) {
      await page
        .locator(`.entry[data-status="accepted"][data-event-id="${id}"]`)
        .waitFor({ timeout: SHOWN_WITHIN_MS });
    }
    await page
      .locator('.entry[data-status="rejected"][data-kept="true"][data-event-id="r-refused"]')
      .waitFor({ timeout: SHOWN_WITHIN_MS });
    await waitUntil(
      'both refused requests are marked as kept in the failed-events stream',
      async () => (await page.locator('.entry[data-status="rejected"][data-kept="true"]').count()) === 2,
      { timeoutMs: SHOWN_WITHIN_MS },
    );
    expect(await page.locator('.entry').count()).toBe(5);
    for (const row of await page.locator('.entry .row').all()) await row.click();
    await page.getByLabel('hide empty fields').uncheck();
    const shown = (await page.locator('main').textContent()) ?? '';
    expect(shown.toLowerCase()).not.toContain(EMAIL.toLowerCase());
    expect(shown.match(/hmac-sha256:dev:[0-9a-f]{64}/g)?.length).toBeGreaterThanOrEqual(3);
    expect(shown).toContain('not shown: source "web" has field rules');
    expect(shown).toContain('not shown: the request names no source');
    const replayed = await feedText(local.debugUrl, 'main');
    expect(replayed).toContain('r-rudder');
    expect(replayed.toLowerCase()).not.toContain(EMAIL.toLowerCase());

    // The picker: archive's stream (no failed-events stream), kept in the address across a reload.
    await page.locator('#destination').selectOption('archive');
    await page
      .locator('.entry[data-status="accepted"][data-event-id="r-next"]')
      .waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(new URL(page.url()).searchParams.get('destination')).toBe('archive');
    expect(await page.locator('#rate-failed').textContent()).toBe('–');
    expect(await page.locator('.entry[data-kept="true"]').count()).toBe(0);
    await page.reload();
    await page
      .locator('.entry[data-status="accepted"][data-event-id="r-rudder"]')
      .waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await page.locator('#destination').inputValue()).toBe('archive');
    const archived = await feedText(local.debugUrl, 'archive');
    expect(archived.toLowerCase()).not.toContain(EMAIL.toLowerCase());
    expect((await fetch(`${local.debugUrl}/events?destination=nowhere`)).status).toBe(404);

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
