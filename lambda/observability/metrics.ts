import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The collector's CloudWatch metrics (Powertools, embedded metric format on stdout). Namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`, default `KinesisEventForwarder`.
 */
export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'KinesisEventForwarder',
    serviceName: 'kinesis-event-forwarder',
  });
}
