import { Duration, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  ALARMS_PUBLISH_SID,
  AlarmTopic,
  type AlarmTopicProps,
  CLOUDWATCH_TOPIC_KEY_STATEMENT,
} from '../../../lib/constructs/alarm-topic';
import { bareStack, onlyResource, propertiesOf, templateWith } from '../support/template-assertions';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:ops-alarms';

/** An alarm on `stack` that tells `topic` of ALARM and OK. */
const probeAlarm = (stack: Stack, id: string, topic: AlarmTopic) => {
  const alarm = new cloudwatch.Metric({
    namespace: 'Test',
    metricName: id,
    period: Duration.minutes(5),
  }).createAlarm(stack, id, { threshold: 1, evaluationPeriods: 1 });
  alarm.addAlarmAction(topic.action);
  alarm.addOkAction(topic.action);
  return alarm;
};

/** The topic on a bare stack, with `alarms` alarms that send it their state changes. */
const topicTemplate = (props: AlarmTopicProps, alarms = 1): Template =>
  templateWith((stack) => {
    const topic = new AlarmTopic(stack, 'AlarmTopic', props);
    for (let n = 1; n <= alarms; n++) probeAlarm(stack, `Probe${n}`, topic);
  });

/** The synth notes (info annotations) on a bare stack holding the topic and one alarm. */
const notesOf = (props: AlarmTopicProps) => {
  const stack = bareStack();
  probeAlarm(stack, 'Probe', new AlarmTopic(stack, 'AlarmTopic', props));
  return Annotations.fromStack(stack)
    .findInfo('*', Match.anyValue())
    .map((entry) => String(entry.entry.data));
};

describe('AlarmTopic on its own', () => {
  describe('for an email address', () => {
    const template = topicTemplate({ notifications: { kind: 'email', email: 'ops@example.com' } });
    const topic = onlyResource(template, 'AWS::SNS::Topic');

    it('creates a topic with the address subscribed by email, which the alarm notifies', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topic.logicalId },
      });
      expect(propertiesOf(template, 'AWS::CloudWatch::Alarm')[0]?.AlarmActions).toEqual([
        { Ref: topic.logicalId },
      ]);
    });

    it('by default leaves the topic without a KMS key and takes TLS-only publishing', () => {
      expect(topic.Properties.KmsMasterKeyId).toBeUndefined();
      expect(
        onlyResource(template, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement,
      ).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    it("lets CloudWatch publish for this account's alarms that use the action, each by its exact ARN, once", () => {
      const twoAlarms = topicTemplate({ notifications: { kind: 'email', email: 'ops@example.com' } }, 2);
      const alarmIds = Object.keys(twoAlarms.findResources('AWS::CloudWatch::Alarm'));

      const statements = onlyResource(twoAlarms, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;

      expect(statements).toContainEqual({
        Sid: ALARMS_PUBLISH_SID,
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: onlyResource(twoAlarms, 'AWS::SNS::Topic').logicalId },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: { 'aws:SourceArn': alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
        },
      });
      expect(alarmIds).toHaveLength(2);
    });

    it('refuses to synthesize a topic no alarm uses, since no alarm could publish to it', () => {
      expect(() =>
        templateWith((stack) => {
          new AlarmTopic(stack, 'AlarmTopic', { notifications: { kind: 'email', email: 'ops@example.com' } });
        }),
      ).toThrow(/no alarm uses its action/);
    });

    it('notes nothing at synth when the topic is not encrypted', () => {
      expect(notesOf({ notifications: { kind: 'email', email: 'ops@example.com' } })).toEqual([]);
    });

    it("notes at synth what the brought key's policy must grant CloudWatch", () => {
      const notes = notesOf({
        notifications: { kind: 'email', email: 'ops@example.com' },
        encryptionKeyArn: KEY_ARN,
      });

      expect(notes).toEqual([expect.stringContaining(JSON.stringify(CLOUDWATCH_TOPIC_KEY_STATEMENT))]);
      expect(notes[0]).toMatch(/^alarmTopicKeyArn: .*kms:Decrypt and kms:GenerateDataKey\*/);
    });

    it('encrypts the topic with the key given', () => {
      const encrypted = topicTemplate({
        notifications: { kind: 'email', email: 'ops@example.com' },
        encryptionKeyArn: KEY_ARN,
      });

      expect(onlyResource(encrypted, 'AWS::SNS::Topic').Properties.KmsMasterKeyId).toBe(KEY_ARN);
    });
  });

  describe('for an existing topic', () => {
    const template = topicTemplate({ notifications: { kind: 'topic', topicArn: TOPIC_ARN } });

    it('creates no topic or subscription, and the alarm notifies the topic by its ARN', () => {
      template.resourceCountIs('AWS::SNS::Topic', 0);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      expect(propertiesOf(template, 'AWS::CloudWatch::Alarm')[0]?.AlarmActions).toEqual([TOPIC_ARN]);
    });

    it("notes at synth what the topic's policy must grant CloudWatch", () => {
      expect(notesOf({ notifications: { kind: 'topic', topicArn: TOPIC_ARN } })).toEqual([
        expect.stringMatching(
          /^alarmTopicArn: the topic's policy must allow sns:Publish to cloudwatch\.amazonaws\.com .*aws:SourceArn/,
        ),
      ]);
    });
  });
});
