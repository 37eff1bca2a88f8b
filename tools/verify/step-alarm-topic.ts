import { type AwsConnection, unavailable } from './aws-connection';
import { failedCall, isAccessDenied } from './aws-error';
import { readTopic } from './sns-topic';
import type { StackAlarms } from './step-alarms';
import { cloudWatchPublishing } from './topic-policy';
import { found, notChecked, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';

/** The SNS topics among alarm actions. */
const topicsOf = (read: StackAlarms): string[] =>
  'alarms' in read
    ? [
        ...new Set(
          read.alarms
            .flatMap((alarm) => alarm.actions)
            .filter((arn) => arn.startsWith('arn:') && arn.split(':')[2] === 'sns'),
        ),
      ]
    : [];

/**
 * Step 4: each topic the alarms notify lets CloudWatch publish (its access policy) and has at
 * least one confirmed subscription, so a change of state reaches someone.
 */
export async function verifyAlarmTopic(read: StackAlarms, connection: AwsConnection): Promise<VerifyStep> {
  const description = VERIFY_STEP_DESCRIPTIONS['alarm-topic'];
  const why = unavailable(connection, 'sns');
  if (why !== undefined) return notChecked('alarm-topic', description, why);
  if (!('alarms' in read))
    return notChecked(
      'alarm-topic',
      description,
      'the alarms could not be read (see the alarms step), so neither could their topic',
    );
  const topics = topicsOf(read);
  if (topics.length === 0) {
    return notChecked(
      'alarm-topic',
      description,
      'the alarms notify no topic: deploy with -c alarmEmail=you@example.com (or -c alarmTopicArn=...) to be told when one fires',
    );
  }
  const details: string[] = [];
  for (const arn of topics) {
    let topic: Awaited<ReturnType<typeof readTopic>>;
    try {
      topic = await readTopic(connection, arn);
    } catch (error) {
      if (isAccessDenied(error)) {
        return notChecked(
          'alarm-topic',
          description,
          `reading topic ${arn} is denied; to check, run as a principal allowed sns:GetTopicAttributes and sns:ListSubscriptionsByTopic on it`,
        );
      }
      return failedCall('alarm-topic', description, error, 'sns:GetTopicAttributes');
    }
    const publishing = cloudWatchPublishing(topic.policy, arn);
    if (!publishing.allowed) {
      return found('alarm-topic', description, 'CloudWatchCannotPublish', `${arn}: ${publishing.how}`, {
        meaning:
          'CloudWatch cannot publish the alarms\' state changes to the topic ("not authorized to perform SNS:Publish" in the alarm history): nobody is told',
        fix: 'add a statement allowing cloudwatch.amazonaws.com sns:Publish on the topic, with aws:SourceAccount set to this account (docs/operations.md, "Alarms"); a topic of this stack gets it by deploying this checkout',
      });
    }
    const confirmed = topic.subscriptions.filter((subscription) => subscription.arn.startsWith('arn:'));
    if (confirmed.length === 0) {
      const pending = topic.subscriptions.map((subscription) => subscription.endpoint).join(', ');
      return found(
        'alarm-topic',
        description,
        'NoConfirmedSubscription',
        `${arn}: ${topic.subscriptions.length === 0 ? 'no subscription' : `pending confirmation: ${pending}`}`,
        {
          meaning: 'SNS delivers to confirmed subscriptions only: the alarms reach nobody yet',
          fix:
            topic.subscriptions.length === 0
              ? `subscribe someone: aws sns subscribe --topic-arn ${arn} --protocol email --notification-endpoint you@example.com, then confirm`
              : 'open the "AWS Notification - Subscription Confirmation" email sent to that address and confirm it (resend it by deploying again or with aws sns subscribe)',
        },
      );
    }
    const key =
      topic.kmsMasterKeyId === undefined
        ? ''
        : `; encrypted with ${topic.kmsMasterKeyId}, whose key policy must let CloudWatch use it (not checked)`;
    details.push(
      `${arn}: ${publishing.how}, ${confirmed.length} confirmed subscription${confirmed.length === 1 ? '' : 's'}${key}`,
    );
  }
  return passed('alarm-topic', description, details.join('; '));
}
