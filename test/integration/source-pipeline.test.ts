import { hashValue, LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import {
  startTestCollector,
  TEST_DESTINATION_ID,
  TEST_SOURCE_ID,
  TEST_WRITE_KEY,
  type TestCollector,
} from '../support/test-collector';

const basic = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;

async function batch(collector: TestCollector, events: unknown[]) {
  const response = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basic },
    body: JSON.stringify({ batch: events }),
  });
  return { status: response.status, json: await response.json() };
}

describe("a source's pipeline, on the real path", () => {
  let collector: TestCollector;
  afterEach(() => collector.stop());

  it('forwards only consented events that do not turn Kinesis off, redacted, and says how many it filtered', async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        sources: defaults.sources.map((source) => ({
          ...source,
          pipeline: {
            consent: { requiredCategories: ['Analytics'], whenMissing: 'drop' },
            redact: { drop: ['context.ip'], hash: ['traits.email'] },
          },
        })),
      }),
    });
    const granted = { categoryPreferences: { Analytics: true, Advertising: false } };
    const answer = await batch(collector, [
      {
        type: 'identify',
        messageId: 'kept',
        userId: 'u-1',
        traits: { email: 'ann@example.com' },
        context: { consent: granted },
      },
      {
        type: 'track',
        messageId: 'denied',
        userId: 'u-1',
        event: 'E',
        context: { consent: { categoryPreferences: { Analytics: false } } },
      },
      { type: 'track', messageId: 'no-consent', userId: 'u-1', event: 'E' },
      {
        type: 'track',
        messageId: 'kinesis-off',
        userId: 'u-1',
        event: 'E',
        context: { consent: granted },
        integrations: { 'Amazon Kinesis': false },
      },
      { type: 'track', messageId: 'invalid', userId: 'u-1' },
    ]);

    expect(answer).toEqual({
      status: 200,
      json: {
        accepted: 4,
        filtered: 3,
        rejected: [{ index: 4, messageId: 'invalid', reason: 'track requires a non-empty event' }],
      },
    });
    const records = await collector.records();
    expect(records.map((record) => record.json.event_id)).toEqual(['kept']);
    const [kept] = records;
    expect(kept?.json.traits).toEqual({
      email: hashValue('ann@example.com', 'hmac-sha256', LOCAL_DEV_HASH_KEY),
    });
    expect(kept?.json.context).toEqual({ consent: granted });
  });

  it("truncates the client's IP, the one the request came from and one the event carries, for a source that asks", async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        sources: defaults.sources.map((source) => ({ ...source, pipeline: { redact: { ip: 'truncate' } } })),
      }),
    });

    const answer = await batch(collector, [
      { type: 'track', messageId: 'from-request', userId: 'u-1', event: 'E' },
      {
        type: 'track',
        messageId: 'from-event',
        userId: 'u-1',
        event: 'E',
        context: { ip: '2001:db8:85a3:8d3:1319:8a2e:370:7348' },
      },
    ]);

    expect(answer.status).toBe(200);
    const ips = Object.fromEntries(
      (await collector.records()).map((record) => [
        record.json.event_id,
        (record.json.context as { ip?: unknown }).ip,
      ]),
    );
    expect(ips).toEqual({ 'from-request': '127.0.0.0', 'from-event': '2001:db8:85a3::' });
  });

  it('writes the Segment message itself for a source that asks for the segment record format', async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        sources: defaults.sources.map((source) => ({
          ...source,
          pipeline: { recordFormat: 'segment' as const },
        })),
      }),
    });
    const answer = await batch(collector, [
      {
        type: 'page',
        messageId: 'p-1',
        anonymousId: 'a-1',
        name: 'Home',
        channel: 'web',
        writeKey: TEST_WRITE_KEY,
      },
    ]);

    expect(answer.status).toBe(200);
    const [record] = await collector.records();
    expect(record?.partitionKey).toBe('a-1');
    expect(record?.json).toEqual({
      type: 'page',
      messageId: 'p-1',
      anonymousId: 'a-1',
      name: 'Home',
      channel: 'web',
      timestamp: expect.any(String),
      receivedAt: expect.any(String),
      context: {
        ip: '127.0.0.1',
        kinesis_event_forwarder: { source_id: TEST_SOURCE_ID, integration_id: TEST_DESTINATION_ID },
      },
    });
  });

  it('writes an event only to the destinations whose own consent it grants, on top of the source consent', async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        destinations: [
          ...defaults.destinations,
          ...defaults.destinations.map((destination) => ({
            ...destination,
            id: 'ads',
            consent: { requiredCategories: ['Advertising'] },
          })),
        ],
        sources: defaults.sources.map((source) => ({
          ...source,
          destinations: [...source.destinations, 'ads'],
          pipeline: { consent: { requiredCategories: ['Analytics'] } },
        })),
      }),
    });
    const consent = (categories: Record<string, boolean>) => ({
      consent: { categoryPreferences: categories },
    });
    const answer = await batch(collector, [
      {
        type: 'track',
        messageId: 'both',
        userId: 'u',
        event: 'E',
        context: consent({ Analytics: true, Advertising: true }),
      },
      {
        type: 'track',
        messageId: 'analytics-only',
        userId: 'u',
        event: 'E',
        context: consent({ Analytics: true }),
      },
      {
        type: 'track',
        messageId: 'ads-only',
        userId: 'u',
        event: 'E',
        context: consent({ Advertising: true }),
      },
    ]);

    expect(answer).toEqual({ status: 200, json: { accepted: 3, filtered: 1, rejected: [] } });
    const routed = (await collector.records()).map(
      (record) => `${record.json.event_id}->${record.json.integration_id}`,
    );
    expect(routed.sort()).toEqual(['analytics-only->test-kinesis', 'both->ads', 'both->test-kinesis']);
  });
});
