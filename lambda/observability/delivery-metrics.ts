import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { WriteObserver } from '../delivery/delivery-diagnostics';
import type { WriteReport } from '../delivery/record-writer';
import type { MetricSink } from './metric-sink';

/**
 * Delivery metrics of every write (published with the invocation's other metrics): records
 * written, PutRecords calls and retries, throttled records, and the write's latency.
 */
export function deliveryMetrics(metrics: Pick<MetricSink, 'addMetric'>): WriteObserver {
  return {
    written: (report: WriteReport) => {
      metrics.addMetric('PutRecordsCalls', MetricUnit.Count, report.calls);
      metrics.addMetric('PutRecordsRetries', MetricUnit.Count, report.retries ?? 0);
      metrics.addMetric('ThrottledRecords', MetricUnit.Count, report.throttledRecords ?? 0);
      if (report.durationMs !== undefined) {
        metrics.addMetric('PutRecordsLatency', MetricUnit.Milliseconds, report.durationMs);
      }
    },
  };
}

/** One observer that tells each of `observers`. */
export function allObservers(...observers: readonly WriteObserver[]): WriteObserver {
  return {
    written: (report) => {
      for (const observer of observers) observer.written(report);
    },
  };
}
