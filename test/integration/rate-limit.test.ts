import { sendBatch, trackBatch } from '../support/collector-requests';
import {
  startTestCollector,
  TEST_SOURCE_ID,
  TEST_WRITE_KEY,
  type TestCollector,
} from '../support/test-collector';

const RUNAWAY_KEY = 'runaway-write-key';

describe('per-source rate limits over real HTTP, kinesalite behind (local path)', () => {
  let collector: TestCollector;
  beforeAll(async () => {
    collector = await startTestCollector({
      shardCount: 1,
      config: (defaults) => ({
        ...defaults,
        sources: [
          ...defaults.sources,
          {
            id: 'runaway',
            writeKeys: [RUNAWAY_KEY],
            destinations: defaults.destinations.map((destination) => destination.id),
            // One event per 1,000 s: the wall clock cannot refill the bucket during the test.
            rateLimit: { eventsPerSecond: 0.001, burst: 5 },
          },
        ],
      }),
    });
  });
  afterAll(() => collector.stop());

  it('refuses the runaway source with 429 and both headers, keeps the other source at 200, and loses nothing accepted', async () => {
    // Act: a batch of 8 is admitted whole (the bucket holds 5), then the source is over its limit.
    const admitted = await sendBatch(collector.url, RUNAWAY_KEY, trackBatch('runaway-a', 8));
    const refused = await sendBatch(collector.url, RUNAWAY_KEY, trackBatch('runaway-b', 1));
    const other = await sendBatch(collector.url, TEST_WRITE_KEY, trackBatch('steady', 3));
    const sentAtSeconds = Date.now() / 1000;

    // Assess
    expect([admitted.status, refused.status, other.status]).toEqual([200, 429, 200]);
    // -3 tokens owed at 0.001 events/s: about 4,000 s until one is back; Retry-After says at most 300.
    expect(refused.headers.get('retry-after')).toBe('300');
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(sentAtSeconds + 3_900);
    expect(refused.headers.get('access-control-expose-headers')).toContain('X-RateLimit-Reset');
    const records = await collector.records();
    const bySource = (id: string) => records.filter((record) => record.json.source_id === id).length;
    expect(bySource('runaway')).toBe(8);
    expect(bySource(TEST_SOURCE_ID)).toBe(3);
  });
});
