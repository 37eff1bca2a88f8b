import { startTestCollector, TEST_WRITE_KEY, type TestCollector } from '../support/test-collector';

describe('the local path', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector();
  });
  afterAll(() => collector.stop());

  it('writes a tracked event to the stream', async () => {
    const response = await fetch(`${collector.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${TEST_WRITE_KEY}:`).toString('base64')}` },
      body: JSON.stringify({ userId: 'u1', event: 'E' }),
    });
    expect(response.status).toBe(200);
    const records = await collector.records();
    expect(records).toHaveLength(1);
    expect(records[0]?.partitionKey).toBe('u1');
  });
});
