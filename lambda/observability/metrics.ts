import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract/collector-metrics';

/** The logger Powertools `Metrics` warns through. */
type MetricsLogger = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

/** How Powertools reads a boolean variable (`extendedParsing`): these spell true, anything else false. */
const TRUE_VALUES = /^\s*(1|true|yes|on)\s*$/i;

/** Powertools' warning for a request that recorded no metric (a 401, a preflight, `/v1/m`). */
const NO_METRICS_WARNING = 'No application metrics to publish';

/**
 * The warnings of a {@link Metrics} whose output is turned off: the same, less the one saying a
 * request recorded nothing to publish (with output off, nothing is ever published). Without it,
 * `npm start` prints that line for every preflight and telemetry call.
 */
const quietLogger: MetricsLogger = {
  debug: (...content) => console.debug(...content),
  info: (...content) => console.info(...content),
  warn: (...content) => {
    if (typeof content[0] === 'string' && content[0].startsWith(NO_METRICS_WARNING)) return;
    console.warn(...content);
  },
  error: (...content) => console.error(...content),
};

/**
 * The collector's CloudWatch metrics (Powertools, embedded metric format on stdout). Namespace from
 * `POWERTOOLS_METRICS_NAMESPACE`, default `KinesisEventForwarder`. `POWERTOOLS_METRICS_DISABLED`
 * (Powertools' own switch, which `npm start` sets unless `LOCAL_METRICS=emf`) turns the output off;
 * the deployed function does not set it, so its output is Powertools' unchanged.
 */
export function createMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  const disabled = TRUE_VALUES.test(env.POWERTOOLS_METRICS_DISABLED ?? '');
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
    ...(disabled ? { logger: quietLogger } : {}),
  });
}
