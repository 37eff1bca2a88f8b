import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { alarmDescription, RUNBOOK_ANCHORS } from './alarm-runbook';

export interface StreamAlarmsProps {
  readonly stream: kinesis.IStream;
  /**
   * Alarm when the oldest record a `GetRecords` consumer has not read is this old.
   * @default - no iterator-age alarm (the stream stack does not know its consumers)
   */
  readonly iteratorAgeThreshold?: Duration;
  /**
   * Told of every change to ALARM and back to OK.
   * @default - no action: the alarms change state in CloudWatch only
   */
  readonly action?: cloudwatch.IAlarmAction;
}

/**
 * Alarms on the event stream, in the account that owns it: sustained write throttling, and (when a
 * threshold is given) consumers falling behind.
 */
export class StreamAlarms extends Construct {
  readonly writeThrottles: cloudwatch.Alarm;
  readonly iteratorAge?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StreamAlarmsProps) {
    super(scope, id);
    const { stream } = props;

    // Writers retry throttled records, so a short burst is harmless; 15 minutes of it is not.
    this.writeThrottles = stream
      .metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: Duration.minutes(5) })
      .createAlarm(this, 'WriteThrottles', {
        alarmDescription: alarmDescription(
          'Kinesis refused writes to the event stream for throughput (WriteProvisionedThroughputExceeded) in each of the last three 5-minute periods: the stream lacks write capacity or one shard is hot; writers retry, spill, then answer 503.',
          RUNBOOK_ANCHORS.streamWriteThrottles,
        ),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // Kinesis publishes nothing while nobody writes: no writes, no throttling.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    if (props.iteratorAgeThreshold !== undefined) {
      const seconds = props.iteratorAgeThreshold.toSeconds();
      this.iteratorAge = stream
        .metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: Duration.minutes(5) })
        .createAlarm(this, 'IteratorAge', {
          alarmDescription: alarmDescription(
            `A consumer reading with GetRecords is more than ${seconds} s behind the newest record (GetRecords.IteratorAgeMilliseconds, maximum) for 10 minutes, or no consumer reads at all: records may expire before they are read.`,
            RUNBOOK_ANCHORS.iteratorAge,
          ),
          threshold: props.iteratorAgeThreshold.toMilliseconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 2,
          datapointsToAlarm: 2,
          // Opt-in alarm for streams that have GetRecords consumers: no data means they stopped reading.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        });
    }

    if (props.action !== undefined) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(props.action);
        alarm.addOkAction(props.action);
      }
    }
  }

  /** Every alarm of the stream. */
  get alarms(): cloudwatch.Alarm[] {
    return [this.writeThrottles, ...(this.iteratorAge === undefined ? [] : [this.iteratorAge])];
  }
}
