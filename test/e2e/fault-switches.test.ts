import { Logger } from '@aws-lambda-powertools/logger';
import type { Browser } from 'playwright-core';
import { parseRuntimeConfig } from '../../lambda/config/runtime-config';
import { createKinesisClient } from '../../lambda/delivery/kinesis-client';
import { KinesisRecordWriter } from '../../lambda/delivery/kinesis-record-writer';
import { createHandler } from '../../lambda/handler';
import { type LocalMode, localModeSettings, startLocalMode } from '../../local/local-mode';
import { sharedBrowser } from '../support/browser';
import { startTestKinesis } from '../support/test-collector';

describe("the live events page's fault switches in Debian Chromium", () => {
  let browser: Browser;
  let local: LocalMode;
  // An in-process kinesalite through KINESIS_ENDPOINT: no emulator child process to start for a
  // page test. Stopped after local mode, whose live page keeps reading it until then.
  let kinesis: Awaited<ReturnType<typeof startTestKinesis>>;

  beforeAll(async () => {
    browser = await sharedBrowser();
    kinesis = await startTestKinesis();
    const settings = localModeSettings({
      PORT: '0',
      KINESIS_ENDPOINT: kinesis.endpoint,
      STREAM_NAME: `switches-${process.pid}`,
      // The write refused while Kinesis is down answers 503 after 1 s, not the deployed 6 s: the
      // test checks the answer and the switch, not how long the collector retries first.
      DELIVERY_BUDGET_MS: '1000',
    });
    local = await startLocalMode(settings, async (input) => {
      const config = parseRuntimeConfig(input);
      const writers = new Map(
        config.destinations.map((destination) => [
          destination.id,
          new KinesisRecordWriter({
            client: createKinesisClient(destination),
            streamName: destination.streamName,
            backoff: config.delivery,
          }),
        ]),
      );
      const logger = new Logger({ serviceName: 'fault-switches-test', logLevel: 'SILENT' });
      return createHandler({ config, writers, logger });
    });
  }, 600_000);
  afterAll(async () => {
    await local?.stop();
    await kinesis?.stop();
    await browser?.close();
  });

  it('switches local Kinesis down and back from the page, as POST /_local/faults does', async () => {
    const page = await browser.newPage();
    await page.goto(local.debugUrl);
    await page.waitForSelector('#fault-effect:has-text("takes writes")');
    expect(await page.locator('#fault-sts').count()).toBe(0);

    await page.selectOption('#fault-kinesis', 'down');
    await page.waitForSelector('#fault-effect:has-text("is down")');
    expect(local.faults().kinesis).toBe('down');
    const refused = await fetch(`${local.collectorUrl}/v1/track?writeKey=dev-write-key`, {
      method: 'POST',
      body: JSON.stringify({ userId: 'u', event: 'E' }),
    });
    expect(refused.status).toBe(503);

    await page.selectOption('#fault-kinesis', 'ok');
    await page.waitForSelector('#fault-effect:has-text("takes writes")');
    expect(local.faults().kinesis).toBe('ok');
    await page.close();
  }, 120_000);
});
