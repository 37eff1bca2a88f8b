import type { Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { RUNBOOK, RUNBOOK_ANCHORS } from '../../../lib/constructs/alarm-runbook';
import { CollectorAlarms, type CollectorAlarmsProps } from '../../../lib/constructs/collector-alarms';
import { alarmLinking, alarmsOf, minimalHttpStage, templateWith } from '../support/template-assertions';

/** An existing function, by a literal ARN, so its name appears in metric dimensions as it is. */
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:collector';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:ops-alarms';

interface Options extends Pick<CollectorAlarmsProps, 'failedRateThresholdPercent'> {
  /** Give spill queues. */
  readonly spill?: boolean;
  /** Give an action that notifies a topic. */
  readonly notify?: boolean;
}

/** The alarms on a bare stack, watching an imported function and a minimal HTTP API stage. */
const alarmsTemplate = (options: Options = {}): Template =>
  templateWith((stack) => {
    const { stage } = minimalHttpStage(stack);
    const action: cloudwatch.IAlarmAction | undefined = options.notify
      ? new SnsAction(sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN))
      : undefined;
    new CollectorAlarms(stack, 'Alarms', {
      function: lambda.Function.fromFunctionArn(stack, 'Collector', FUNCTION_ARN),
      stage,
      ...(options.spill
        ? {
            spill: {
              queue: new sqs.Queue(stack, 'Spill'),
              deadLetterQueue: new sqs.Queue(stack, 'DeadLetters'),
            },
          }
        : {}),
      ...(action === undefined ? {} : { action }),
      ...(options.failedRateThresholdPercent === undefined
        ? {}
        : { failedRateThresholdPercent: options.failedRateThresholdPercent }),
    });
  });
const link = (anchor: string) => `${RUNBOOK}#${anchor}`;
const ALWAYS = [
  RUNBOOK_ANCHORS.throttledRecords,
  RUNBOOK_ANCHORS.deliveryErrors,
  RUNBOOK_ANCHORS.eventsUndelivered,
  RUNBOOK_ANCHORS.pixelEventsLost,
  RUNBOOK_ANCHORS.lambdaErrors,
  RUNBOOK_ANCHORS.lambdaThrottles,
  RUNBOOK_ANCHORS.api5xx,
];

describe('CollectorAlarms on their own', () => {
  describe('by default', () => {
    const template = alarmsTemplate();

    it.each(ALWAYS)('alarm with a description linking %s', (anchor) => {
      expect(alarmLinking(template, link(anchor)).TreatMissingData).toBe('notBreaching');
    });

    it('have no spill and no failed-rate alarm', () => {
      expect(alarmsOf(template)).toHaveLength(ALWAYS.length);
    });

    it('notify no one', () => {
      for (const alarm of alarmsOf(template)) {
        expect(alarm).not.toHaveProperty('AlarmActions');
        expect(alarm).not.toHaveProperty('OKActions');
      }
    });

    it('watch the function and the stage they are given', () => {
      expect(alarmLinking(template, link(RUNBOOK_ANCHORS.lambdaErrors)).Dimensions).toEqual([
        { Name: 'FunctionName', Value: 'collector' },
      ]);
      expect(JSON.stringify(alarmLinking(template, link(RUNBOOK_ANCHORS.api5xx)).Metrics)).toMatch(
        /"Name":"ApiId","Value":\{"Ref":"Api/,
      );
    });
  });

  describe('overridden', () => {
    const template = alarmsTemplate({ spill: true, notify: true, failedRateThresholdPercent: 2.5 });

    it.each([
      [RUNBOOK_ANCHORS.spillQueue, /^Spill/],
      [RUNBOOK_ANCHORS.spillDeadLetters, /^DeadLetters/],
    ])('alarm on the first visible message of the queue given, for %s', (anchor, queue) => {
      expect(alarmLinking(template, link(anchor))).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(queue), 'QueueName'] } },
        ],
        Threshold: 1,
      });
    });

    it('alarm when failed events exceed the percentage given in each of three 5-minute periods', () => {
      expect(alarmLinking(template, link(RUNBOOK_ANCHORS.failedRate))).toMatchObject({
        Threshold: 2.5,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        AlarmDescription: expect.stringMatching(/^More than 2.5% of the events/),
      });
    });

    it('tell the action given of every change to ALARM and back to OK, for every alarm', () => {
      expect(alarmsOf(template)).toHaveLength(ALWAYS.length + 3);
      for (const alarm of alarmsOf(template)) {
        expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
        expect(alarm.OKActions).toEqual([TOPIC_ARN]);
      }
    });
  });
});
