import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/collector-metrics';

/**
 * The collector's CloudWatch metrics (Powertools, embedded metric format on stdout). Namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`, default `KinesisEventForwarder`.
 */
export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
  });
}
