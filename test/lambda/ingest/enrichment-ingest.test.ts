import { parseRuntimeConfig, type RuntimeSource } from '../../../lambda/config/runtime-config';
import { KinesisRecordWriter } from '../../../lambda/delivery/kinesis-record-writer';
import { Ingest, type IngestOutcome } from '../../../lambda/ingest/ingest';
import { ensureStream } from '../../../local/streams';
import { readAllRecords } from '../../support/stream-reader';
import { useTestKinesis } from '../../support/test-collector';

const kinesis = useTestKinesis();
let streams = 0;

/** One ingest of `messages` by a source as the document gives it, written to a fresh kinesalite stream. */
async function ingestWith(source: Record<string, unknown>, messages: unknown[], sourceIp?: string) {
  const stream = `enrich-${++streams}`;
  await ensureStream(kinesis.client, stream, 1);
  const config = parseRuntimeConfig({
    sources: [{ id: 'web', writeKeys: ['k'], destinations: ['d'], ...source }],
    destinations: [{ id: 'd', streamName: stream, region: 'us-east-1' }],
  });
  const ingest = new Ingest({
    writers: new Map([
      [
        'd',
        new KinesisRecordWriter({ client: kinesis.client, streamName: stream, backoff: config.delivery }),
      ],
    ]),
    maxEventBytes: 32 * 1024,
  });
  const outcome: IngestOutcome = await ingest.ingest({
    source: config.sources[0] as RuntimeSource,
    messages,
    receivedAt: Date.parse('2026-12-06T12:00:00.000Z'),
    deadline: Date.now() + 5000,
    ...(sourceIp === undefined ? {} : { sourceIp }),
  });
  return { outcome, main: (await readAllRecords(kinesis.client, stream)).map((record) => record.json) };
}

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const page = (messageId: string, context: Record<string, unknown> = {}) => ({
  type: 'page',
  messageId,
  anonymousId: 'a1',
  name: 'Home',
  context,
});

describe('pipeline.enrich applied by Ingest before redaction', () => {
  it('gives an event from 8.8.8.8 context.location.country US and, with redact.ip drop, no IP', async () => {
    const { main } = await ingestWith(
      { pipeline: { enrich: { geo: {} }, redact: { ip: 'drop' } } },
      [page('from-request'), page('from-context', { ip: '1.1.1.1' })],
      '8.8.8.8',
    );

    expect(main.map((record) => [record.event_id, record.context])).toEqual([
      ['from-request', { location: { country: 'US' } }],
      ['from-context', { location: { country: 'AU' } }],
    ]);
  });

  it('enriches the Segment message format too, before its IP is dropped', async () => {
    const { main } = await ingestWith(
      { pipeline: { recordFormat: 'segment', enrich: { geo: {} }, redact: { ip: 'drop' } } },
      [page('segment-format')],
      '8.8.8.8',
    );

    expect(main[0]?.context).toEqual({
      location: { country: 'US' },
      kinesis_event_forwarder: { source_id: 'web', integration_id: 'd' },
    });
  });

  it('keeps the location an event already carries', async () => {
    const { main } = await ingestWith(
      { pipeline: { enrich: { geo: {} } } },
      [page('own', { location: { country: 'FR', city: 'Paris' } })],
      '8.8.8.8',
    );

    expect(main[0]?.context).toEqual({ location: { country: 'FR', city: 'Paris' }, ip: '8.8.8.8' });
  });

  it('flags a crawler’s event with context.bot when the source flags bots', async () => {
    const { outcome, main } = await ingestWith({ pipeline: { enrich: { bot: 'flag' } } }, [
      page('crawler', { userAgent: GOOGLEBOT }),
      page('person', { userAgent: IPHONE }),
    ]);

    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 2, filtered: 0 });
    expect(
      main.map((record) => [record.event_id, (record.context as Record<string, unknown>).bot ?? null]),
    ).toEqual([
      ['crawler', true],
      ['person', null],
    ]);
  });

  it('accepts a crawler’s event and drops it, counted, when the source drops bots', async () => {
    const { outcome, main } = await ingestWith({ pipeline: { enrich: { bot: 'drop' } } }, [
      page('crawler', { userAgent: GOOGLEBOT }),
      page('person', { userAgent: IPHONE }),
    ]);

    expect(outcome).toMatchObject({ kind: 'delivered', accepted: 2, filtered: 1, botsDropped: 1 });
    expect(main.map((record) => record.event_id)).toEqual(['person']);
  });

  it('adds browser, OS and device type from the user agent, keeping what the event has', async () => {
    const { main } = await ingestWith({ pipeline: { enrich: { device: true } } }, [
      page('phone', { userAgent: IPHONE, device: { id: 'device-1' } }),
    ]);

    expect(main[0]?.context).toEqual({
      userAgent: IPHONE,
      device: { id: 'device-1', type: 'mobile', manufacturer: 'Apple', model: 'iPhone' },
      browser: { name: 'Mobile Safari', version: '17.5' },
      os: { name: 'iOS', version: '17.5' },
    });
  });

  it('leaves the events of a source without enrichment as they came', async () => {
    const { main } = await ingestWith({}, [page('plain', { userAgent: GOOGLEBOT })], '8.8.8.8');

    expect(main[0]?.context).toEqual({ userAgent: GOOGLEBOT, ip: '8.8.8.8' });
  });
});
