import { measureTypicalEvents, TYPICAL_EVENTS, typicalEventCosts } from '../../bench/typical-events';

describe('typical SDK events (bench section 7)', () => {
  it('weighs the record the ingest use case writes for each captured SDK event, and the same record without its null fields', async () => {
    // Act
    const sizes = await measureTypicalEvents();

    // Assess
    expect(sizes.map((size) => size.id)).toEqual(Object.keys(TYPICAL_EVENTS));
    for (const size of sizes) {
      expect(size.eventBytes).toBeGreaterThan(300);
      expect(size.envelopeBytes).toBeGreaterThan(size.withoutNullsBytes);
    }
  });

  it('bills each record in whole KB and prices it per million events', () => {
    // Arrange
    const size = {
      id: 'analytics-next-track' as const,
      label: 'track',
      eventBytes: 981,
      envelopeBytes: 1066,
      withoutNullsBytes: 990,
    };

    // Act
    const [cost] = typicalEventCosts([size], { eventsPerRequest: 20, durationMs: 5.2, memoryMb: 256 });

    // Assess
    expect(cost).toMatchObject({ billedKb: 2, withoutNullsBilledKb: 1 });
    if (cost === undefined) throw new Error('no cost row');
    expect(cost.cost.kinesisUsd).toBeCloseTo(2 * cost.withoutNullsCost.kinesisUsd, 10);
    expect(cost.cost.eventsPerRequest).toBe(20);
  });
});
