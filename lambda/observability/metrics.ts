import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/collector-metrics';

/** How Powertools reads a boolean variable (`extendedParsing`): these spell true, anything else false. */
const TRUE_VALUES = /^\s*(1|true|yes|on)\s*$/i;

/**
 * Metrics whose output is off: recorded and dropped at each publish, printing nothing, not even
 * Powertools' "No application metrics to publish" warning of a request that recorded none (with
 * output off, nothing is ever published). Metrics published at once (`singleMetric`) are dropped too.
 */
class SilentMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }

  override singleMetric(): Metrics {
    return new SilentMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, singleMetric: true });
  }
}

/**
 * The collector's CloudWatch metrics (Powertools, embedded metric format on stdout). Namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`, default `KinesisEventForwarder`. `POWERTOOLS_METRICS_DISABLED`
 * (Powertools' name for it; `npm start` sets it unless `LOCAL_METRICS=emf`) turns the output off,
 * warnings about empty metrics included: one line per request would bury the local terminal. The
 * deployed function does not set it, so its output is Powertools' unchanged.
 */
export function createMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  const options = {
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
  };
  return TRUE_VALUES.test(env.POWERTOOLS_METRICS_DISABLED ?? '')
    ? new SilentMetrics(options)
    : new Metrics(options);
}
