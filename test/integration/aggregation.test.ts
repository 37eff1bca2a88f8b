import { readRawRecords } from '../support/stream-reader';
import { startTestCollector, TEST_WRITE_KEY, type TestCollector } from '../support/test-collector';

describe('KPL record aggregation, on the real path', () => {
  let collector: TestCollector;
  afterEach(() => collector.stop());

  it('writes one Kinesis record per user in a batch, and deaggregation returns every event exactly once', async () => {
    collector = await startTestCollector({
      config: (defaults) => ({
        ...defaults,
        destinations: defaults.destinations.map((d) => ({ ...d, aggregate: true })),
      }),
    });
    const users = ['u-1', 'u-2', 'u-3', 'u-4'];
    const batch = Array.from({ length: 100 }, (_, n) => ({
      type: 'track',
      messageId: `m-${n}`,
      userId: users[n % users.length],
      event: 'Viewed',
      properties: { n },
    }));

    const response = await fetch(`${collector.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}` },
      body: JSON.stringify({ batch }),
    });

    expect(response.status).toBe(200);
    const raw = await readRawRecords(collector.kinesis, collector.streamName);
    expect(raw.map((record) => record.partitionKey).sort()).toEqual(users);
    const events = await collector.records();
    expect(events.map((record) => record.json.event_id).sort()).toEqual(batch.map((e) => e.messageId).sort());
    for (const record of events) expect(record.partitionKey).toBe(record.json.user_id);
  });
});
