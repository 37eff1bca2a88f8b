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

  it('packs a request of 20 copies of each event from one user into one KPL record smaller than their 20 envelopes', async () => {
    // Act
    const sizes = await measureTypicalEvents(20);

    // Assess: one record for the 20, each event's share a fraction of its own envelope's billing.
    for (const size of sizes) {
      expect(size.aggregatedEvents).toBe(20);
      expect(size.aggregatedBytes).toBeGreaterThan(20 * size.envelopeBytes * 0.9);
      expect(size.aggregatedBytes).toBeLessThan(20 * size.envelopeBytes * 1.1);
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
      aggregatedEvents: 20,
      aggregatedBytes: 21_500,
    };

    // Act
    const [cost] = typicalEventCosts([size], { eventsPerRequest: 20, durationMs: 5.2, memoryMb: 256 });

    // Assess
    expect(cost).toMatchObject({ billedKb: 2, withoutNullsBilledKb: 1 });
    if (cost === undefined) throw new Error('no cost row');
    expect(cost.cost.kinesisUsd).toBeCloseTo(2 * cost.withoutNullsCost.kinesisUsd, 10);
    expect(cost.cost.eventsPerRequest).toBe(20);
    // 21,500 bytes round up to 21 KB, shared by 20 events: 1.05 KB each.
    expect(cost.aggregatedBilledKb).toBeCloseTo(1.05, 10);
    expect(cost.aggregatedCost.kinesisUsd).toBeCloseTo(1.05 * cost.withoutNullsCost.kinesisUsd, 10);
  });
});
