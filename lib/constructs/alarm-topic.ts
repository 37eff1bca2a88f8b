import { Annotations, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmNotifications, AlarmsDeployConfig } from '../config';

/** The service principal that publishes alarm state changes to SNS. */
export const CLOUDWATCH_PRINCIPAL = 'cloudwatch.amazonaws.com';

/** What CloudWatch must be allowed on the KMS key of an encrypted alarm topic (SNS's own rule). */
export const CLOUDWATCH_TOPIC_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'] as const;

/**
 * The key policy statement a key brought with `alarmTopicKeyArn` needs (the synth note and
 * docs/security.md quote it): CloudWatch publishes to the encrypted topic through SNS, which uses
 * the key on CloudWatch's behalf.
 */
export const CLOUDWATCH_TOPIC_KEY_STATEMENT = {
  Sid: 'AllowCloudWatchAlarmsToUseTheAlarmTopicKey',
  Effect: 'Allow',
  Principal: { Service: CLOUDWATCH_PRINCIPAL },
  Action: [...CLOUDWATCH_TOPIC_KEY_ACTIONS],
  Resource: '*',
} as const;

/** The `Sid` of the topic policy statement that lets this stack's alarms publish. */
export const ALARMS_PUBLISH_SID = 'CloudWatchAlarmsOfThisStackPublish';

export interface AlarmTopicProps {
  /** An address to subscribe to a new topic, or an existing topic. */
  readonly notifications: AlarmNotifications;
  /**
   * A KMS key (ARN) that encrypts the new topic. Its key policy must let `cloudwatch.amazonaws.com`
   * call `kms:GenerateDataKey*` and `kms:Decrypt` ({@link CLOUDWATCH_TOPIC_KEY_STATEMENT}), or alarms
   * cannot publish; synth notes it (docs/security.md, "The alarm topic").
   * @default - not encrypted at rest (alarm state changes only; publishing is TLS-only)
   */
  readonly encryptionKeyArn?: string;
}

/**
 * Where a stack's alarms send their state changes: a new SNS topic (TLS-only publishing) with one
 * email subscription, or an existing topic by ARN (it must be in the stack's region and let
 * CloudWatch publish to it).
 *
 * A topic policy replaces SNS's default policy, so the new topic's policy allows `sns:Publish` to
 * `cloudwatch.amazonaws.com` itself, for this account (`aws:SourceAccount`) and exactly the alarms
 * that use {@link action} (`aws:SourceArn`, each alarm's ARN, collected as alarms bind the action).
 * An existing topic's policy and a brought key's policy are not this stack's: synth notes what
 * they must grant.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.ITopic;
  /** Give it to `alarm.addAlarmAction` and `addOkAction`; each alarm it is bound to may publish. */
  readonly action: cloudwatch.IAlarmAction;
  /** The ARNs of the alarms bound to {@link action}, in binding order. */
  private readonly alarmArns: string[] = [];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { notifications } = props;
    if (notifications.kind === 'topic') {
      this.topic = sns.Topic.fromTopicArn(this, 'Existing', notifications.topicArn);
      Annotations.of(this).addInfo(
        `alarmTopicArn: the topic's policy must allow sns:Publish to ${CLOUDWATCH_PRINCIPAL} (best with aws:SourceAccount = this account and aws:SourceArn = this stack's alarms), and a KMS key that encrypts it must allow ${CLOUDWATCH_PRINCIPAL} ${CLOUDWATCH_TOPIC_KEY_ACTIONS.join(' and ')}; otherwise CloudWatch records "not authorized to perform SNS:Publish" and nobody is notified (docs/security.md, "The alarm topic").`,
      );
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
      topic.addToResourcePolicy(this.alarmsPublishStatement(topic));
      if (masterKey === undefined)
        Validations.of(topic).acknowledge({
          id: 'AwsSolutions-SNS2',
          reason:
            'The topic carries CloudWatch alarm state changes only (alarm name, metric, threshold), never events or secrets. CloudWatch cannot publish to a topic encrypted with the AWS-managed aws/sns key, so encryption needs a customer-managed key whose policy lets CloudWatch use it: give one with -c alarmTopicKeyArn where policy requires it; publishing is TLS-only (enforceSSL).',
        });
      else
        Annotations.of(this).addInfo(
          `alarmTopicKeyArn: the key's policy must allow ${CLOUDWATCH_PRINCIPAL} ${CLOUDWATCH_TOPIC_KEY_ACTIONS.join(' and ')} (statement ${JSON.stringify(CLOUDWATCH_TOPIC_KEY_STATEMENT)}); otherwise SNS refuses CloudWatch's publish and nobody is notified (docs/security.md, "The alarm topic").`,
        );
      this.topic = topic;
    }
    const snsAction = new actions.SnsAction(this.topic);
    const alarmArns = this.alarmArns;
    this.action = {
      bind(bindScope: Construct, alarm: cloudwatch.IAlarm) {
        if (!alarmArns.includes(alarm.alarmArn)) alarmArns.push(alarm.alarmArn);
        return snsAction.bind(bindScope, alarm);
      },
    };
  }

  /**
   * `sns:Publish` for CloudWatch, only for this account's alarms that use {@link action}: their
   * ARNs are read when the policy is synthesized, after every alarm is bound.
   */
  private alarmsPublishStatement(topic: sns.Topic): iam.PolicyStatement {
    const stack = Stack.of(this);
    const alarmArns = this.alarmArns;
    return new iam.PolicyStatement({
      sid: ALARMS_PUBLISH_SID,
      principals: [new iam.ServicePrincipal(CLOUDWATCH_PRINCIPAL)],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: {
          'aws:SourceArn': Lazy.list({
            produce: () => {
              if (alarmArns.length === 0)
                throw new Error(
                  `AlarmTopic ${this.node.path}: no alarm uses its action, so no alarm may publish to the topic; bind the action to an alarm or leave the topic out`,
                );
              return alarmArns;
            },
          }),
        },
      },
    });
  }
}

/**
 * The alarm topic a side's alarms settings ask for: an {@link AlarmTopic} (id `AlarmTopic`) in
 * `scope`, or `undefined` when nobody is to be notified. Both sides build their alarm topic here.
 */
export function alarmTopicOf(scope: Construct, alarms: AlarmsDeployConfig): AlarmTopic | undefined {
  const { notifications } = alarms;
  if (notifications === undefined) return undefined;
  return new AlarmTopic(scope, 'AlarmTopic', {
    notifications,
    ...(alarms.topicKeyArn === undefined ? {} : { encryptionKeyArn: alarms.topicKeyArn }),
  });
}
