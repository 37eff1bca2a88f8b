import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmTopic, type AlarmTopicProps } from '../../../lib/constructs/alarm-topic';
import { onlyResource, propertiesOf, templateWith } from '../support/template-assertions';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:ops-alarms';

/** The topic on a bare stack, with one alarm that sends it its state changes. */
const topicTemplate = (props: AlarmTopicProps): Template =>
  templateWith((stack) => {
    const { action } = new AlarmTopic(stack, 'AlarmTopic', props);
    const alarm = new cloudwatch.Metric({
      namespace: 'Test',
      metricName: 'Probe',
      period: Duration.minutes(5),
    }).createAlarm(stack, 'Probe', { threshold: 1, evaluationPeriods: 1 });
    alarm.addAlarmAction(action);
  });

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
  });
});
