import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RUNBOOK, RUNBOOK_ANCHORS } from '../../../lib/constructs/alarm-runbook';
import { StreamAlarms, type StreamAlarmsProps } from '../../../lib/constructs/stream-alarms';
import { alarmLinking, alarmsOf, templateWith } from '../support/template-assertions';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:ops-alarms';

/** The alarms of a stream created next to them; `action` turns on notifications to a topic ARN. */
const alarmsTemplate = (
  props: Omit<StreamAlarmsProps, 'stream' | 'action'> & { readonly notify?: boolean } = {},
): Template =>
  templateWith((stack) => {
    const { notify, ...rest } = props;
    const action: cloudwatch.IAlarmAction | undefined = notify
      ? new SnsAction(sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN))
      : undefined;
    new StreamAlarms(stack, 'StreamAlarms', {
      stream: new kinesis.Stream(stack, 'Events'),
      ...rest,
      ...(action === undefined ? {} : { action }),
    });
  });
const link = (anchor: string) => `${RUNBOOK}#${anchor}`;

describe('StreamAlarms on their own', () => {
  describe('by default', () => {
    const template = alarmsTemplate();

    it('alarm on write throttles of the stream in each of three 5-minute periods, no data being fine', () => {
      expect(alarmLinking(template, link(RUNBOOK_ANCHORS.streamWriteThrottles))).toMatchObject({
        Namespace: 'AWS/Kinesis',
        MetricName: 'WriteProvisionedThroughputExceeded',
        Dimensions: [{ Name: 'StreamName', Value: { Ref: expect.stringMatching(/^Events/) } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        TreatMissingData: 'notBreaching',
      });
    });

    it('have no iterator-age alarm', () => {
      expect(alarmsOf(template)).toHaveLength(1);
    });

    it('notify no one', () => {
      expect(alarmsOf(template)[0]).not.toHaveProperty('AlarmActions');
      expect(alarmsOf(template)[0]).not.toHaveProperty('OKActions');
    });
  });

  describe('overridden', () => {
    const template = alarmsTemplate({ iteratorAgeThreshold: Duration.minutes(15), notify: true });

    it('alarm when a GetRecords consumer falls the threshold given behind, silence breaching', () => {
      expect(alarmLinking(template, link(RUNBOOK_ANCHORS.iteratorAge))).toMatchObject({
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Statistic: 'Maximum',
        Threshold: 900_000,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
        AlarmDescription: expect.stringContaining('more than 900 s behind'),
      });
    });

    it('tell the action given of every change to ALARM and back to OK', () => {
      expect(alarmsOf(template)).toHaveLength(2);
      for (const alarm of alarmsOf(template)) {
        expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
        expect(alarm.OKActions).toEqual([TOPIC_ARN]);
      }
    });
  });
});
