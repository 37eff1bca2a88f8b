import { Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmNotifications, AlarmsDeployConfig } from '../config';

export interface AlarmTopicProps {
  /** An address to subscribe to a new topic, or an existing topic. */
  readonly notifications: AlarmNotifications;
  /**
   * A KMS key (ARN) that encrypts the new topic. Its key policy must let `cloudwatch.amazonaws.com`
   * call `kms:GenerateDataKey*` and `kms:Decrypt`, or alarms cannot publish (docs/security.md).
   * @default - not encrypted at rest (alarm state changes only; publishing is TLS-only)
   */
  readonly encryptionKeyArn?: string;
}

/**
 * Where a stack's alarms send their state changes: a new SNS topic (TLS-only publishing) with one
 * email subscription, or an existing topic by ARN (it must be in the stack's region and let
 * CloudWatch publish to it).
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.ITopic;
  /** Give it to `alarm.addAlarmAction` and `addOkAction`. */
  readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { notifications } = props;
    if (notifications.kind === 'topic') {
      this.topic = sns.Topic.fromTopicArn(this, 'Existing', notifications.topicArn);
    } else {
      const masterKey =
        props.encryptionKeyArn === undefined
          ? undefined
          : kms.Key.fromKeyArn(this, 'Key', props.encryptionKeyArn);
      const topic = new sns.Topic(this, 'Topic', {
        displayName: 'kinesis-event-forwarder alarms',
        enforceSSL: true,
        ...(masterKey === undefined ? {} : { masterKey }),
      });
      topic.addSubscription(new subscriptions.EmailSubscription(notifications.email));
      if (masterKey === undefined)
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason:
            'The topic carries CloudWatch alarm state changes only (alarm name, metric, threshold), never events or secrets. CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key, so encryption needs a customer-managed key whose policy lets CloudWatch use it: give one with -c alarmTopicKeyArn where policy requires it; publishing is TLS-only (enforceSSL).',
        });
      this.topic = topic;
    }
    this.action = new actions.SnsAction(this.topic);
  }
}

/**
 * The alarm action a stack's alarms settings ask for: an {@link AlarmTopic} (id `AlarmTopic`) in
 * `scope`, or `undefined` when nobody is to be notified. Both stacks build their alarm action here.
 */
export function alarmTopicAction(
  scope: Construct,
  alarms: AlarmsDeployConfig,
): cloudwatch.IAlarmAction | undefined {
  const { notifications } = alarms;
  if (notifications === undefined) return undefined;
  return new AlarmTopic(scope, 'AlarmTopic', {
    notifications,
    ...(alarms.topicKeyArn === undefined ? {} : { encryptionKeyArn: alarms.topicKeyArn }),
  }).action;
}
