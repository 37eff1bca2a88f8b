import { hashValue, LOCAL_DEV_HASH_KEY } from '../../lambda/events/field-rules';
import { readAllRecords } from '../support/stream-reader';
import { startTestCollector, TEST_WRITE_KEY, type TestCollector } from '../support/test-collector';

const EMAIL = 'Ann.Example@Example.com';
const basic = `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}`;

/** analytics-next's identify as it sends it (`/v1/i`, text/plain, the write key in the body): traits at the top. */
const analyticsNextIdentify = {
  type: 'identify',
  userId: 'user-a',
  anonymousId: '2a7c6c1e-0b5c-4a39-9e7f-4f0d7c8b1a11',
  traits: { email: EMAIL, plan: 'pro' },
  context: { library: { name: 'analytics.js', version: 'next-1.81.1' }, page: { path: '/signup' } },
  messageId: 'ajs-next-1',
  timestamp: '2026-12-06T19:00:00.000Z',
  integrations: {},
  writeKey: TEST_WRITE_KEY,
  sentAt: '2026-12-06T19:00:00.100Z',
};

/** RudderStack's identify as its JS SDK batches it: the traits under context.traits. */
const rudderStackBatch = {
  batch: [
    {
      type: 'identify',
      userId: 'user-r',
      anonymousId: 'ca00fc49-27ed-459b-9095-787a3db0daf5',
      channel: 'web',
      context: {
        traits: { email: ` ${EMAIL.toLowerCase()} ` },
        library: { name: 'RudderLabs JavaScript SDK' },
      },
      messageId: 'rs-1',
      originalTimestamp: '2026-12-06T19:00:00.000Z',
      integrations: { All: true },
      sentAt: '2026-12-06T19:00:00.100Z',
    },
    // Refused (no userId or anonymousId): kept in the failed-events stream, its email hashed too.
    { type: 'identify', context: { traits: { email: EMAIL } }, messageId: 'rs-refused' },
  ],
  sentAt: '2026-12-06T19:00:00.100Z',
};

describe('field rules on every record an event is written as', () => {
  let collector: TestCollector;
  const failedStreamName = `failed-field-rules-${process.pid}`;

  beforeAll(async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        sources: defaults.sources.map((source) => ({
          ...source,
          pipeline: { redact: { hash: ['*.email'], ip: 'truncate' } },
        })),
        destinations: defaults.destinations.map((destination) => ({ ...destination, failedStreamName })),
      }),
    });
  });
  afterAll(() => collector.stop());

  it('hashes the same email sent by analytics-next (traits.email) and RudderStack (context.traits.email) to the same keyed hash, and writes it in plain nowhere', async () => {
    const next = await fetch(`${collector.url}/v1/i`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(analyticsNextIdentify),
    });
    const rudder = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify(rudderStackBatch),
    });
    const unparseable = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: `{"batch":[{"type":"identify","traits":{"email":"${EMAIL}"}`,
    });

    expect(next.status).toBe(200);
    expect(rudder.status).toBe(200);
    expect(unparseable.status).toBe(400);
    const main = await collector.records();
    const failed = await readAllRecords(collector.kinesis, failedStreamName);
    const keyed = hashValue(EMAIL, 'hmac-sha256', LOCAL_DEV_HASH_KEY);
    expect(keyed).toMatch(/^hmac-sha256:dev:[0-9a-f]{64}$/);
    const byId = new Map(main.map((record) => [record.json.event_id, record.json]));
    expect(byId.get('ajs-next-1')?.traits).toEqual({ email: keyed, plan: 'pro' });
    expect(byId.get('rs-1')?.context).toEqual(expect.objectContaining({ traits: { email: keyed } }));
    expect(failed.map((record) => record.json.redaction)).toEqual(
      expect.arrayContaining([
        { applied: true, key_version: 'dev' },
        { applied: true, key_version: 'dev', raw_dropped: true },
      ]),
    );
    expect(failed).toHaveLength(2);
    const written = JSON.stringify([...main, ...failed].map((record) => record.json)).toLowerCase();
    expect(written).not.toContain(EMAIL.toLowerCase());
    expect(written).toContain(keyed);
  });
});
