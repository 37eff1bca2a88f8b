import type { MetricUnit as MetricUnits } from '@aws-lambda-powertools/metrics';
import type { CollectorMetricName } from '../contract/collector-metrics';

/** A CloudWatch unit, as Powertools names them (`Count`, `Bytes`, `Milliseconds`, ...). */
type MetricUnit = (typeof MetricUnits)[keyof typeof MetricUnits];

/**
 * Where the collector's metrics go: Powertools `Metrics` fits it, and so does a test double. Names are
 * typed with the contract's {@link CollectorMetricName}, so the Lambda cannot publish a metric the
 * CDK app's alarms and dashboard do not know by that name.
 */
export interface MetricSink {
  addMetric(name: CollectorMetricName, unit: MetricUnit, value: number): unknown;
  /** A metric published at once with its own dimensions (`reason`, `errorCode`). */
  singleMetric(): DimensionedMetricSink;
}

/** A {@link MetricSink} for one metric with an extra dimension. */
export interface DimensionedMetricSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: CollectorMetricName, unit: MetricUnit, value: number): unknown;
}
