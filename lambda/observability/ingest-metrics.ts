import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_DIMENSIONS } from '../contract/collector-metrics';
import type { IngestOutcome } from '../ingest/ingest';
import type { MetricSink } from './metric-sink';

/**
 * The metrics of one ingested request: its size, and its events accepted, filtered, rejected (with
 * a `reason` dimension: `missing_id`, `too_large`, ...) and not yet written. Published with the
 * invocation (Powertools `logMetrics`); rejections by reason go out at once, one line per reason.
 */
export function recordIngestMetrics(metrics: MetricSink, outcome: IngestOutcome, requestBytes: number): void {
  metrics.addMetric('RequestBytes', MetricUnit.Bytes, requestBytes);
  const accepted = outcome.kind === 'nothing-valid' ? 0 : outcome.accepted;
  metrics.addMetric('EventsAccepted', MetricUnit.Count, accepted);
  if (outcome.kind === 'delivered' && outcome.filtered) {
    metrics.addMetric('EventsFiltered', MetricUnit.Count, outcome.filtered);
  }
  if (outcome.kind === 'delivered' && outcome.suppressed) {
    metrics.addMetric('SuppressedEvents', MetricUnit.Count, outcome.suppressed);
  }
  if (outcome.kind === 'delivered' && outcome.botsDropped) {
    metrics.addMetric('BotEventsDropped', MetricUnit.Count, outcome.botsDropped);
  }
  if (outcome.kind === 'undelivered') {
    const undelivered = outcome.undelivered.reduce(
      (most, report) => (report.failedStream ? most : Math.max(most, report.count)),
      0,
    );
    if (undelivered > 0) metrics.addMetric('EventsUndelivered', MetricUnit.Count, undelivered);
  }
  for (const [reason, count] of Object.entries(outcome.rejectionCodes ?? {})) {
    const single = metrics.singleMetric();
    single.addDimension(METRIC_DIMENSIONS.EventsRejected, reason);
    single.addMetric('EventsRejected', MetricUnit.Count, count);
  }
  if (outcome.keptInFailedStream) recordFailedEvents(metrics, outcome.rejectionCodes ?? {});
}

/**
 * `FailedEvents`: refused events (or unparseable requests) now durably in the failed-events stream,
 * in total (what the failed-rate alarm divides by `EventsAccepted`) and by `code`.
 */
export function recordFailedEvents(metrics: MetricSink, codes: Readonly<Record<string, number>>): void {
  let total = 0;
  for (const [code, count] of Object.entries(codes)) {
    total += count;
    const single = metrics.singleMetric();
    single.addDimension(METRIC_DIMENSIONS.FailedEvents, code);
    single.addMetric('FailedEvents', MetricUnit.Count, count);
  }
  if (total > 0) metrics.addMetric('FailedEvents', MetricUnit.Count, total);
}
