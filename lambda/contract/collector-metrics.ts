/**
 * The collector's CloudWatch metrics as both sides must name them: the Lambda publishes them
 * (`lambda/observability/`, Powertools EMF) and the CDK app alarms on and graphs them
 * (`lib/constructs/collector-alarms.ts`, `collector-dashboard.ts`). A name changed here changes both.
 */

/** The metric namespace (the function may override it with `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'KinesisEventForwarder';

/** Powertools' service name: the `service` dimension of every metric and the `service` key of every log line. */
export const SERVICE_NAME = 'kinesis-event-forwarder';

/**
 * Every metric the collector publishes. All have the `service` dimension; `EventsRejected` also has
 * `reason`, `DeliveryErrors` `errorCode`; `FailedEvents` is published in total and by `code`.
 */
export const COLLECTOR_METRIC_NAMES = [
  'RequestBytes',
  'EventsAccepted',
  'EventsFiltered',
  'EventsUndelivered',
  'EventsRejected',
  'PutRecordsCalls',
  'PutRecordsRetries',
  'ThrottledRecords',
  'PutRecordsLatency',
  'DeliveryErrors',
  'AssumeRoleCalls',
  'SpilledEvents',
  'HotKeyOverflow',
  'FailedEvents',
  'DuplicateEvents',
  'DedupFailOpen',
  'SuppressedEvents',
  'SuppressionUnavailable',
  'RateLimitedRequests',
  'PixelEventsLost',
  'BotEventsDropped',
] as const;

/** One of {@link COLLECTOR_METRIC_NAMES}. */
export type CollectorMetricName = (typeof COLLECTOR_METRIC_NAMES)[number];

/** The collector's metrics published with a second dimension besides `service`, and its name. */
export const METRIC_DIMENSIONS = {
  EventsRejected: 'reason',
  DeliveryErrors: 'errorCode',
  FailedEvents: 'code',
} as const satisfies Partial<Record<CollectorMetricName, string>>;

/** The metrics that have a total with the `service` dimension only: what a plain `cloudwatch.Metric` can name. */
export type ServiceMetricName = Exclude<CollectorMetricName, 'EventsRejected' | 'DeliveryErrors'>;
