import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatorClient } from '../../local/local-mode';
import { killStarted, type StartedCollector, startLocalCollector, waitForBanner } from '../support/npm-start';
import { readAllRecords, type StoredRecord } from '../support/stream-reader';
import { startTestKinesis } from '../support/test-collector';

/** The placeholder the docs' snippets use, so they run here as written. */
const WRITE_KEY = 'WRITE_KEY';
const DOCS_HOST = 'https://events.example.com';
const SDK_USAGE = readFileSync(join(__dirname, '..', '..', 'docs', 'sdk-usage.md'), 'utf8');

/** The `src` of every `<img>` in the pixel section's html blocks. */
const docImageSources = (): string[] =>
  [...SDK_USAGE.matchAll(/<img src="([^"]+\/v1\/pixel\/[^"]+)"/g)].map((match) => match[1] as string);

/** The JSON configuration of the `<amp-analytics type="segment">` snippet. */
function docAmpConfig(): { vars: { writeKey: string; name: string }; requests: { host: string } } {
  const block = /<amp-analytics type="segment">\s*<script type="application\/json">([\s\S]*?)<\/script>/.exec(
    SDK_USAGE,
  );
  return JSON.parse(block?.[1] ?? 'null');
}
const STREAM = 'pixel-test';

/**
 * The request `<amp-analytics type="segment">` sends for its page trigger (an image GET), as AMP's
 * `segment` vendor configuration spells it: `<host>/page?writeKey&context.library.name=amp&anonymousId
 * &context.locale&context.page.{path,url,referrer,title}&context.screen.{width,height}&name`, with the
 * page's `requests.host` pointing at this collector's `/v1/pixel`.
 */
function ampPageRequest(collectorUrl: string, anonymousId: string): string {
  const config = docAmpConfig();
  const vars: [string, string][] = [
    ['writeKey', config.vars.writeKey],
    ['context.library.name', 'amp'],
    ['anonymousId', anonymousId],
    ['context.locale', 'en-GB'],
    ['context.page.path', '/news/story.amp.html'],
    ['context.page.url', 'https://www.example.com/news/story.html'],
    ['context.page.referrer', ''],
    ['context.page.title', 'A story & more'],
    ['context.screen.width', '412'],
    ['context.screen.height', '915'],
    ['name', config.vars.name],
  ];
  const query = vars.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `${config.requests.host.replace(DOCS_HOST, collectorUrl)}/page?${query}`;
}

const data = (event: object, encoding: 'base64' | 'base64url') =>
  Buffer.from(JSON.stringify({ writeKey: WRITE_KEY, ...event })).toString(encoding);

async function expectGif(response: Response): Promise<void> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/gif');
  expect(response.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
  expect(
    Buffer.from(await response.arrayBuffer())
      .subarray(0, 6)
      .toString(),
  ).toBe('GIF89a');
}

/**
 * The local collector's entry (bin/local-collector.ts, bundled once per run: test/support/npm-start.ts),
 * writing to an in-process kinesalite through KINESIS_ENDPOINT. The collector outlives the tests, so
 * it is stopped before the kinesalite (whose close waits for the connections the collector keeps).
 */
describe('pixels through the local collector (bin/local-collector.ts)', () => {
  let emulator: Awaited<ReturnType<typeof startTestKinesis>> | undefined;
  let started: StartedCollector | undefined;
  let collectorUrl: string;
  let records: (stream: string) => Promise<StoredRecord[]>;
  let kinesis: ReturnType<typeof emulatorClient> | undefined;

  beforeAll(async () => {
    emulator = await startTestKinesis();
    started = await startLocalCollector({
      PORT: '0',
      KINESIS_ENDPOINT: emulator.endpoint,
      STREAM_NAME: STREAM,
      WRITE_KEY,
    });
    const banner = await waitForBanner(started);
    collectorUrl = banner.collectorUrl;
    const client = emulatorClient(banner.kinesisEndpoint, 'us-east-1');
    kinesis = client;
    records = (stream) => readAllRecords(client, stream);
  }, 60_000);
  afterAll(async () => {
    kinesis?.destroy();
    if (started !== undefined) await killStarted(started);
    await emulator?.stop();
  });

  it('writes an email open pixel once each in URL-safe base64, standard base64 and the dot-path form', async () => {
    // Prepare: a subject whose base64 differs between the two alphabets.
    const event = (messageId: string) => ({
      messageId,
      userId: 'u-1',
      event: 'Email Opened',
      properties: { subject: 'Ünï >>>???~~~ ✓' },
    });
    const urls = [
      `${collectorUrl}/v1/pixel/track?data=${data(event('email-url-safe'), 'base64url')}`,
      `${collectorUrl}/v1/pixel/track?data=${encodeURIComponent(data(event('email-standard'), 'base64'))}`,
      `${collectorUrl}/v1/pixel/track?writeKey=${WRITE_KEY}&messageId=email-dot-path&userId=u-1&event=Email%20Opened&properties.subject=Welcome`,
    ];

    // Act
    for (const url of urls) await expectGif(await fetch(url));

    // Assess
    const written = (await records(STREAM)).map((record) => record.json);
    for (const id of ['email-url-safe', 'email-standard', 'email-dot-path']) {
      expect(written.filter((record) => record.event_id === id)).toHaveLength(1);
    }
    expect(written.find((record) => record.event_id === 'email-standard')).toMatchObject({
      type: 'track',
      event: 'Email Opened',
      properties: { subject: 'Ünï >>>???~~~ ✓' },
    });
    expect(written.find((record) => record.event_id === 'email-dot-path')).toMatchObject({
      properties: { subject: 'Welcome' },
    });
  });

  it('writes the page view an AMP page\'s <amp-analytics type="segment"> sends once', async () => {
    // Act
    await expectGif(await fetch(ampPageRequest(collectorUrl, 'amp-1a2b3c')));

    // Assess
    const pages = (await records(STREAM))
      .map((record) => record.json)
      .filter((record) => record.anonymous_id === 'amp-1a2b3c');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({
      type: 'page',
      name: 'Article',
      context: {
        library: { name: 'amp' },
        page: { url: 'https://www.example.com/news/story.html', title: 'A story & more', referrer: '' },
        screen: { width: '412', height: '915' },
      },
    });
  });

  it("writes docs/sdk-usage.md's two email pixels, as written, once each", async () => {
    // Prepare
    const sources = docImageSources();
    expect(sources).toHaveLength(2);

    // Act
    for (const src of sources) await expectGif(await fetch(src.replace(DOCS_HOST, collectorUrl)));

    // Assess
    const opened = (await records(STREAM))
      .map((record) => record.json)
      .filter((record) => record.user_id === 'u-123' && record.event === 'Email Opened');
    expect(opened).toHaveLength(2);
    expect(opened.filter((record) => record.properties !== null)).toMatchObject([
      { properties: { subject: 'Welcome', campaign: 'december' } },
    ]);
  });

  it('answers HEAD with the GIF and records nothing', async () => {
    // Act
    const answer = await fetch(
      `${collectorUrl}/v1/pixel/track?writeKey=${WRITE_KEY}&userId=head-user&event=Checked`,
      {
        method: 'HEAD',
      },
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/gif');
    const all = [...(await records(STREAM)), ...(await records(`${STREAM}-failed`))];
    expect(all.filter((record) => JSON.stringify(record.json).includes('head-user'))).toEqual([]);
  });

  it('answers a refused pixel with the GIF and keeps it in the failed-events stream with its reason', async () => {
    // Act: a track pixel without its event name.
    await expectGif(await fetch(`${collectorUrl}/v1/pixel/track?writeKey=${WRITE_KEY}&userId=refused-user`));

    // Assess
    const failed = (await records(`${STREAM}-failed`)).map((record) => record.json);
    const refused = failed.filter((record) =>
      JSON.stringify(record.payload ?? null).includes('refused-user'),
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      failure: { stage: 'validation', reason: expect.any(String) },
      request: { path: '/v1/pixel/track' },
    });
  });
});
