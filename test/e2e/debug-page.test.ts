import { Logger } from '@aws-lambda-powertools/logger';
import type { Browser } from 'playwright-core';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import type { RecordWriter } from '../../lambda/delivery/record-writer';
import { createHandler } from '../../lambda/handler';
import type { HttpApiHandler } from '../../local/local-collector';
import { type LocalMode, localModeSettings, startLocalMode } from '../../local/local-mode';
import { launchOfflineChromium, RequestLog } from '../support/browser';
import { startTestKinesis } from '../support/test-collector';
import { allowOnlyOrigin, waitUntil } from './delivery';
import { startTestSite, type TestSite } from './site';

const WRITE_KEY = 'debug-page-write-key-5f1c';
/** How long the page may take to show an event. */
const SHOWN_WITHIN_MS = 10_000;

describe('the live events page of local mode (/_debug) in Debian Chromium', () => {
  let browser: Browser;
  let site: TestSite;
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;
  let local: LocalMode;

  beforeAll(async () => {
    [browser, site, kinesis] = await Promise.all([
      launchOfflineChromium(),
      startTestSite(),
      startTestKinesis(),
    ]);
    const settings = localModeSettings({
      PORT: '0',
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: `debug-page-${process.pid}`,
      SHARD_COUNT: '2',
      WRITE_KEY,
    });
    // Local mode's own wiring (stream, /_debug, hooks), with the handler built the way the tests
    // build it: the site's origin allowed, logs silent.
    local = await startLocalMode(settings, async (input) => {
      const config = parseRuntimeConfig(allowOnlyOrigin(site.url)(input));
      const writers = new Map<string, RecordWriter>(
        config.destinations.map((destination) => [
          destination.id,
          new KinesisRecordWriter({
            client: createKinesisClient(destination),
            streamName: destination.streamName,
            backoff: config.delivery,
          }),
        ]),
      );
      const logger = new Logger({ serviceName: 'debug-page-test', logLevel: 'SILENT' });
      return createHandler({ config, writers, logger }) as unknown as HttpApiHandler;
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
    const acceptedJson = JSON.parse((await accepted.locator('pre.json').textContent()) ?? 'null');
    expect(acceptedJson).toMatchObject({
      event_id: trackId,
      type: 'track',
      event: 'Order Completed',
      user_id: null,
      properties: { marker: 'debug-track', unicode: 'héllo — 日本語 🎉' },
      source_id: 'dev',
    });
    expect(await accepted.locator('.status').textContent()).toBe('accepted');
    expect(await accepted.locator('pre.json').textContent()).toContain('\n  "event_id"');

    expect(invalid.status).toBe(400);
    const reason = answer.rejected[0]?.reason as string;
    expect(reason).toEqual(expect.any(String));
    const rejected = debug.locator('.entry[data-status="rejected"][data-event-id="invalid-1"]');
    await rejected.waitFor({ timeout: SHOWN_WITHIN_MS });
    expect(await rejected.locator('.reason').textContent()).toBe(reason);
    expect(JSON.parse((await rejected.locator('pre.json').textContent()) ?? 'null')).toEqual({
      messageId: 'invalid-1',
      userId: 'user-bad',
      writeKey: '[redacted]',
      properties: {},
    });

    await waitUntil(
      'every analytics-next call is on the page',
      async () => (await debug.locator('.entry[data-status="accepted"]').count()) >= messageIds.length,
      { timeoutMs: SHOWN_WITHIN_MS },
    );
    expect(await debug.content()).not.toContain(WRITE_KEY);
    expect(log.offLoopback()).toEqual([]);
    await context.close();
  }, 60_000);
});
