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
import { alarmDescription, RUNBOOK_ANCHORS } from './alarm-runbook';

/** One of the collector's metrics, by `service` (all collectors of an account and region share it). */
export function collectorMetric(
  metricName: ServiceMetricName,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
  });
}

/**
 * `DeliveryErrors` summed over every `errorCode` (a CloudWatch Metrics Insights query, which alarms
 * accept; the metric's dimensions are `service` and `errorCode`).
 */
export function deliveryErrorsTotal(period = Duration.minutes(5)): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SELECT SUM(DeliveryErrors) FROM SCHEMA("${METRICS_NAMESPACE}", ${METRIC_DIMENSIONS.DeliveryErrors}, service) WHERE service = '${SERVICE_NAME}'`,
    label: 'DeliveryErrors (all error codes)',
    period,
  });
}

export interface CollectorAlarmsProps {
  readonly function: lambda.IFunction;
  /** The HTTP API stage the SDKs call. */
  readonly stage: apigwv2.IHttpStage;
  /**
   * The spill queue and its dead-letter queue.
   * @default - no spill alarms
   */
  readonly spill?: { readonly queue: sqs.IQueue; readonly deadLetterQueue: sqs.IQueue };
  /**
   * Told of every change to ALARM and back to OK.
   * @default - no action: the alarms change state in CloudWatch only
   */
  readonly action?: cloudwatch.IAlarmAction;
  /**
   * Alarm when more than this percentage of events went to the failed-events stream
   * (`FailedEvents / (EventsAccepted + FailedEvents)`) in each of three 5-minute periods.
   * @default - no failed-rate alarm (what rate is normal depends on the tracking plans)
   */
  readonly failedRateThresholdPercent?: number;
  /**
   * A source deduplicates (the stack created the dedup table): alarm when events keep being written
   * without the table (`DedupFailOpen`).
   * @default false
   */
  readonly dedup?: boolean;
  /**
   * A source suppresses users (the stack created the suppression table): alarm when its requests are
   * refused because the suppression list or the hash key cannot be read (`SuppressionUnavailable`).
   * @default false
   */
  readonly suppression?: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);
const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
/** No data means no traffic (or an empty, idle queue): nothing is wrong. */
const NO_DATA_IS_FINE = cloudwatch.TreatMissingData.NOT_BREACHING;

/**
 * The collector's alarms, each with a description that says what it means and links its runbook
 * section: stream throttling as the collector sees it, delivery errors, events not delivered, pixel
 * events lost, events waiting in the spill queue or its dead-letter queue, Lambda errors and
 * throttles, and the API's 5xx rate.
 */
export class CollectorAlarms extends Construct {
  readonly throttledRecords: cloudwatch.Alarm;
  readonly deliveryErrors: cloudwatch.Alarm;
  readonly eventsUndelivered: cloudwatch.Alarm;
  readonly pixelEventsLost: cloudwatch.Alarm;
  readonly lambdaErrors: cloudwatch.Alarm;
  readonly lambdaThrottles: cloudwatch.Alarm;
  readonly api5xx: cloudwatch.Alarm;
  readonly spillQueue?: cloudwatch.Alarm;
  readonly spillDeadLetters?: cloudwatch.Alarm;
  readonly failedRate?: cloudwatch.Alarm;
  readonly dedupFailOpen?: cloudwatch.Alarm;
  readonly suppressionUnavailable?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CollectorAlarmsProps) {
    super(scope, id);

    this.throttledRecords = collectorMetric('ThrottledRecords').createAlarm(this, 'ThrottledRecords', {
      alarmDescription: alarmDescription(
        "The stream throttled the collector's PutRecords (ThrottledRecords) in each of the last three 5-minute periods: it lacks write capacity or one shard is hot; the collector retries, spills, then answers 503.",
        RUNBOOK_ANCHORS.throttledRecords,
      ),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: NO_DATA_IS_FINE,
    });

    this.deliveryErrors = deliveryErrorsTotal().createAlarm(this, 'DeliveryErrors', {
      alarmDescription: alarmDescription(
        'Records were not written to the stream (DeliveryErrors, any errorCode) in the last 5 minutes: a configuration error (AccessDenied, ResourceNotFound, KMS) or retries running out; the error code says which.',
        RUNBOOK_ANCHORS.deliveryErrors,
      ),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: NO_DATA_IS_FINE,
    });

    this.eventsUndelivered = collectorMetric('EventsUndelivered').createAlarm(this, 'EventsUndelivered', {
      alarmDescription: alarmDescription(
        'The collector answered requests with 429/503 because events could be neither written nor spilled (EventsUndelivered) in the last 5 minutes: the SDKs retry, but events are delayed and may be lost if they give up.',
        RUNBOOK_ANCHORS.eventsUndelivered,
      ),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: NO_DATA_IS_FINE,
    });

    // A pixel always answers its GIF and is never sent again: one lost event is already a loss.
    this.pixelEventsLost = collectorMetric('PixelEventsLost').createAlarm(this, 'PixelEventsLost', {
      alarmDescription: alarmDescription(
        'Pixel events were lost (PixelEventsLost) in the last 5 minutes: neither the stream nor the spill store took them; a pixel always answers its GIF, so nothing sends them again.',
        RUNBOOK_ANCHORS.pixelEventsLost,
      ),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: NO_DATA_IS_FINE,
    });

    if (props.failedRateThresholdPercent !== undefined) {
      const percent = props.failedRateThresholdPercent;
      this.failedRate = new cloudwatch.MathExpression({
        expression: '100 * FILL(failed, 0) / (FILL(accepted, 0) + FILL(failed, 0))',
        usingMetrics: {
          failed: collectorMetric('FailedEvents'),
          accepted: collectorMetric('EventsAccepted'),
        },
        period: FIVE_MINUTES,
        label: 'Failed events (%)',
      }).createAlarm(this, 'FailedRate', {
        alarmDescription: alarmDescription(
          `More than ${percent}% of the events received went to the failed-events stream (FailedEvents / (EventsAccepted + FailedEvents)) in each of the last three 5-minute periods: a tracking plan, a limit or an SDK change refuses them; nothing is lost, they wait there for a fix and npm run replay-failed.`,
          RUNBOOK_ANCHORS.failedRate,
        ),
        threshold: percent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: NO_DATA_IS_FINE,
      });
    }

    if (props.dedup === true) {
      this.dedupFailOpen = collectorMetric('DedupFailOpen').createAlarm(this, 'DedupFailOpen', {
        alarmDescription: alarmDescription(
          'Events of a dedup source were written without the dedup table (DedupFailOpen) in each of the last three 5-minute periods: DynamoDB throttles or fails, or DEDUP_TABLE_NAME is missing; nothing is lost, but duplicates pass.',
          RUNBOOK_ANCHORS.dedupFailOpen,
        ),
        threshold: 1,
        comparisonOperator: AT_LEAST,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: NO_DATA_IS_FINE,
      });
    }

    // Fail closed: each refusal is a 503 the SDKs retry (a pixel's event is lost), so a lasting one
    // means a suppression source collects nothing; one lookup lost to a blip is not worth a page.
    if (props.suppression === true) {
      this.suppressionUnavailable = collectorMetric('SuppressionUnavailable').createAlarm(
        this,
        'SuppressionUnavailable',
        {
          alarmDescription: alarmDescription(
            "Requests of a suppression source were answered 503 because the suppression table or the hash key could not be read (SuppressionUnavailable) in two consecutive 5-minute periods: fail closed, nothing of them is written; the SDKs retry, pixels' events are lost.",
            RUNBOOK_ANCHORS.suppressionUnavailable,
          ),
          threshold: 1,
          comparisonOperator: AT_LEAST,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          treatMissingData: NO_DATA_IS_FINE,
        },
      );
    }

    // Crashes, timeouts and out-of-memory only: the handler answers its own errors.
    this.lambdaErrors = props.function
      .metricErrors({ statistic: 'Sum', period: FIVE_MINUTES })
      .createAlarm(this, 'LambdaErrors', {
        alarmDescription: alarmDescription(
          'The collector Lambda failed at least 5 invocations (Errors: crash, timeout or out of memory) in 5 minutes; API Gateway answered those requests 500 and the SDKs retry.',
          RUNBOOK_ANCHORS.lambdaErrors,
        ),
        threshold: 5,
        comparisonOperator: AT_LEAST,
        evaluationPeriods: 1,
        treatMissingData: NO_DATA_IS_FINE,
      });

    this.lambdaThrottles = props.function
      .metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES })
      .createAlarm(this, 'LambdaThrottles', {
        alarmDescription: alarmDescription(
          "Lambda refused to run the collector (Throttles) in the last 5 minutes: the account's concurrency is used up; those requests failed with 5xx and the SDKs retry.",
          RUNBOOK_ANCHORS.lambdaThrottles,
        ),
        threshold: 1,
        comparisonOperator: AT_LEAST,
        evaluationPeriods: 1,
        treatMissingData: NO_DATA_IS_FINE,
      });

    const serverErrorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * serverErrors / requests, 0)',
      usingMetrics: {
        serverErrors: props.stage.metricServerError({ statistic: 'Sum' }),
        requests: props.stage.metricCount({ statistic: 'Sum' }),
      },
      label: '5xx (% of requests)',
      period: FIVE_MINUTES,
    });
    this.api5xx = serverErrorRate.createAlarm(this, 'Api5xx', {
      alarmDescription: alarmDescription(
        "At least 5% of the HTTP API's requests were answered 5xx in two consecutive 5-minute periods: the collector cannot deliver, cannot read its configuration, or Lambda fails.",
        RUNBOOK_ANCHORS.api5xx,
      ),
      threshold: 5,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: NO_DATA_IS_FINE,
    });

    if (props.spill !== undefined) {
      const visible = (queue: sqs.IQueue) =>
        queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES });
      this.spillQueue = visible(props.spill.queue).createAlarm(this, 'SpillQueueNotEmpty', {
        alarmDescription: alarmDescription(
          'Events are waiting in the spill queue (ApproximateNumberOfMessagesVisible > 0): the stream refused them after the retry budget; they are safe for 14 days but not in the stream until you run npm run redrive.',
          RUNBOOK_ANCHORS.spillQueue,
        ),
        threshold: 1,
        comparisonOperator: AT_LEAST,
        evaluationPeriods: 1,
        // SQS stops publishing for a queue idle for 6 hours, and an idle queue holding messages
        // is not idle: missing data is an empty queue.
        treatMissingData: NO_DATA_IS_FINE,
      });
      this.spillDeadLetters = visible(props.spill.deadLetterQueue).createAlarm(
        this,
        'SpillDeadLettersNotEmpty',
        {
          alarmDescription: alarmDescription(
            'Spilled events are in the spill dead-letter queue (ApproximateNumberOfMessagesVisible > 0): the redrive could not write them 5 times; they stay there (14 days) until you fix the cause and redrive from it.',
            RUNBOOK_ANCHORS.spillDeadLetters,
          ),
          threshold: 1,
          comparisonOperator: AT_LEAST,
          evaluationPeriods: 1,
          treatMissingData: NO_DATA_IS_FINE,
        },
      );
    }

    if (props.action !== undefined) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(props.action);
        alarm.addOkAction(props.action);
      }
    }
  }

  /** Every alarm of the collector. */
  get alarms(): cloudwatch.Alarm[] {
    return [
      this.throttledRecords,
      this.deliveryErrors,
      this.eventsUndelivered,
      this.pixelEventsLost,
      this.lambdaErrors,
      this.lambdaThrottles,
      this.api5xx,
      ...(this.spillQueue === undefined ? [] : [this.spillQueue]),
      ...(this.spillDeadLetters === undefined ? [] : [this.spillDeadLetters]),
      ...(this.failedRate === undefined ? [] : [this.failedRate]),
      ...(this.dedupFailOpen === undefined ? [] : [this.dedupFailOpen]),
      ...(this.suppressionUnavailable === undefined ? [] : [this.suppressionUnavailable]),
    ];
  }
}
