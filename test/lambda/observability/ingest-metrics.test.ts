import { recordIngestMetrics } from '../../../lambda/observability/ingest-metrics';
import type { MetricSink } from '../../../lambda/observability/metric-sink';

/** A sink that keeps what is published without a second dimension, as `name=value`. */
function recordingSink(): MetricSink & { readonly published: string[] } {
  const published: string[] = [];
  return {
    published,
    addMetric: (name, _unit, value) => published.push(`${name}=${value}`),
    singleMetric: () => ({ addDimension: () => undefined, addMetric: () => undefined }),
  };
}

describe('recordIngestMetrics', () => {
  it('counts the bots a source dropped in BotEventsDropped, within EventsFiltered', () => {
    const sink = recordingSink();

    recordIngestMetrics(
      sink,
      { kind: 'delivered', accepted: 3, filtered: 2, botsDropped: 1, rejected: [] },
      100,
    );

    expect(sink.published).toEqual([
      'RequestBytes=100',
      'EventsAccepted=3',
      'EventsFiltered=2',
      'BotEventsDropped=1',
    ]);
  });

  it('publishes no BotEventsDropped when no bot was dropped', () => {
    const sink = recordingSink();

    recordIngestMetrics(sink, { kind: 'delivered', accepted: 1, filtered: 0, rejected: [] }, 10);

    expect(sink.published.some((line) => line.startsWith('BotEventsDropped'))).toBe(false);
  });
});
