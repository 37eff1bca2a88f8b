import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRIC_DIMENSIONS,
  METRICS_NAMESPACE,
  SERVICE_NAME,
  type ServiceMetricName,
} from '../../lambda/contract/collector-metrics';
import { RUNBOOK } from './alarm-runbook';
import { collectorMetric } from './collector-alarms';

/** The stream the collector writes to, for the dashboard's stream row. */
export interface DashboardStream {
  readonly streamName: string;
  /**
   * @default - the dashboard's region
   */
  readonly region?: string;
  /**
   * The account that owns the stream; another account's metrics show only with CloudWatch
   * cross-account observability set up.
   * @default - the dashboard's account
   */
  readonly account?: string;
}

export interface CollectorDashboardProps {
  readonly function: lambda.IFunction;
  readonly stage: apigwv2.IHttpStage;
  /** @default - no spill queue widget */
  readonly spill?: { readonly queue: sqs.IQueue; readonly deadLetterQueue: sqs.IQueue };
  /** @default - no stream row */
  readonly stream?: DashboardStream;
  /**
   * Shown in an alarm status widget at the top.
   * @default - none
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * A source suppresses users: the events row shows the suppressed events (`SuppressedEvents`) and
   * the requests refused because the lookup failed (`SuppressionUnavailable`).
   * @default false
   */
  readonly suppression?: boolean;
}

const PERIOD = Duration.minutes(1);
const WIDTH = 8;
const HEIGHT = 6;

function graph(
  title: string,
  left: cloudwatch.IMetric[],
  right: cloudwatch.IMetric[] = [],
  width: number = WIDTH,
) {
  return new cloudwatch.GraphWidget({ title, left, right, width, height: HEIGHT });
}

function sum(metricName: ServiceMetricName): cloudwatch.Metric {
  return collectorMetric(metricName, { period: PERIOD, label: metricName });
}

/** Every series of a metric by its second dimension (`reason`, `errorCode`). */
function byDimension(metricName: keyof typeof METRIC_DIMENSIONS): cloudwatch.MathExpression {
  const dimension = METRIC_DIMENSIONS[metricName];
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}" service="${SERVICE_NAME}"', 'Sum', 60)`,
    label: '',
    period: PERIOD,
  });
}

/**
 * One CloudWatch dashboard per collector stack: alarm states; requests and ingest (API count, 4xx,
 * 5xx, requests refused by a source's rate limit, latency; events accepted, rejected by reason, filtered; failed events (kept in the
 * failed-events stream) by code and in total; request size); delivery (PutRecords
 * latency p50/p99, calls, retries, throttled records, undelivered and spilled events, AssumeRole
 * calls, errors by code, spill queue depth); the Lambda (duration, errors, throttles, concurrency);
 * and the stream (incoming records and bytes, write throttles).
 */
export class CollectorDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CollectorDashboardProps) {
    super(scope, id);
    const { stage } = props;
    const fn = props.function;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# kinesis-event-forwarder collector\nWhat each alarm means and what to do: ${RUNBOOK}. Collector metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`service=${SERVICE_NAME}\`.`,
        width: 24,
        height: 2,
      }),
    );
    if (props.alarms !== undefined && props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms],
          width: 24,
          height: 3,
        }),
      );
    }

    const apiSum = { statistic: 'Sum', period: PERIOD };
    this.dashboard.addWidgets(
      graph('API requests, 4xx, 5xx, rate-limited', [
        stage.metricCount({ ...apiSum, label: 'Count' }),
        stage.metricClientError({ ...apiSum, label: '4xx' }),
        stage.metricServerError({ ...apiSum, label: '5xx' }),
        // Refused whole by a source's rateLimit: part of 4xx (429), or of 5xx with `status: 503`.
        sum('RateLimitedRequests'),
      ]),
      graph('API latency (ms)', [
        stage.metricLatency({ statistic: 'p50', period: PERIOD, label: 'Latency p50' }),
        stage.metricLatency({ statistic: 'p99', period: PERIOD, label: 'Latency p99' }),
        stage.metricIntegrationLatency({ statistic: 'p99', period: PERIOD, label: 'IntegrationLatency p99' }),
      ]),
      graph('Request size (bytes)', [
        collectorMetric('RequestBytes', { statistic: 'p50', period: PERIOD, label: 'RequestBytes p50' }),
        collectorMetric('RequestBytes', { statistic: 'p99', period: PERIOD, label: 'RequestBytes p99' }),
        collectorMetric('RequestBytes', { statistic: 'Maximum', period: PERIOD, label: 'RequestBytes max' }),
      ]),
    );
    // Four to this row: what became of the events, including those kept in the failed-events stream.
    const quarter = 24 / 4;
    this.dashboard.addWidgets(
      props.suppression === true
        ? graph(
            'Events accepted, filtered, suppressed, undelivered, pixel events lost',
            [
              sum('EventsAccepted'),
              sum('EventsFiltered'),
              sum('SuppressedEvents'),
              sum('EventsUndelivered'),
              sum('PixelEventsLost'),
            ],
            [sum('SuppressionUnavailable')],
            quarter,
          )
        : graph(
            'Events accepted, filtered, undelivered, pixel events lost',
            [sum('EventsAccepted'), sum('EventsFiltered'), sum('EventsUndelivered'), sum('PixelEventsLost')],
            [],
            quarter,
          ),
      graph('Events rejected, by reason', [byDimension('EventsRejected')], [], quarter),
      graph(
        'Failed events (kept in the failed-events stream), by code',
        [byDimension('FailedEvents')],
        [sum('FailedEvents')],
        quarter,
      ),
      graph('Delivery errors, by errorCode', [byDimension('DeliveryErrors')], [], quarter),
    );
    this.dashboard.addWidgets(
      graph('PutRecords latency (ms)', [
        collectorMetric('PutRecordsLatency', { statistic: 'p50', period: PERIOD, label: 'p50' }),
        collectorMetric('PutRecordsLatency', { statistic: 'p99', period: PERIOD, label: 'p99' }),
      ]),
      graph(
        'PutRecords calls, retries, throttled records, hot-key overflow',
        [sum('PutRecordsCalls'), sum('PutRecordsRetries'), sum('ThrottledRecords'), sum('HotKeyOverflow')],
        [sum('AssumeRoleCalls')],
      ),
      graph(
        'Spilled events and spill queues',
        [sum('SpilledEvents')],
        props.spill === undefined
          ? []
          : [
              props.spill.queue.metricApproximateNumberOfMessagesVisible({
                statistic: 'Maximum',
                period: PERIOD,
                label: 'spill queue',
              }),
              props.spill.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                statistic: 'Maximum',
                period: PERIOD,
                label: 'spill dead letters',
              }),
            ],
      ),
    );
    this.dashboard.addWidgets(
      graph('Lambda duration (ms)', [
        fn.metricDuration({ statistic: 'p50', period: PERIOD, label: 'p50' }),
        fn.metricDuration({ statistic: 'p99', period: PERIOD, label: 'p99' }),
        fn.metricDuration({ statistic: 'Maximum', period: PERIOD, label: 'max' }),
      ]),
      graph('Lambda invocations, errors, throttles', [
        fn.metricInvocations({ statistic: 'Sum', period: PERIOD, label: 'Invocations' }),
        fn.metricErrors({ statistic: 'Sum', period: PERIOD, label: 'Errors' }),
        fn.metricThrottles({ statistic: 'Sum', period: PERIOD, label: 'Throttles' }),
      ]),
      graph('Lambda concurrency', [
        fn.metric('ConcurrentExecutions', {
          statistic: 'Maximum',
          period: PERIOD,
          label: 'ConcurrentExecutions',
        }),
      ]),
    );

    if (props.stream !== undefined) {
      const { streamName, region, account } = props.stream;
      const streamMetric = (metricName: string, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/Kinesis',
          metricName,
          dimensionsMap: { StreamName: streamName },
          statistic: 'Sum',
          period: PERIOD,
          label,
          ...(region === undefined ? {} : { region }),
          ...(account === undefined ? {} : { account }),
        });
      this.dashboard.addWidgets(
        graph('Stream incoming records', [streamMetric('IncomingRecords', 'IncomingRecords')]),
        graph('Stream incoming bytes', [streamMetric('IncomingBytes', 'IncomingBytes')]),
        graph('Stream write throttles', [
          streamMetric('WriteProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded'),
        ]),
      );
    }
  }
}
