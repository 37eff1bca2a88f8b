import { EMAIL_PATTERN, KMS_KEY_ARN_PATTERN, TOPIC_ARN_PATTERN } from './context-patterns';
import type { ContextReader } from './context-reader';
import type { AlarmsDeployConfig } from './deploy-config';

/** `alarmEmail` or `alarmTopicArn` (not both): where both stacks' alarms notify. */
export function readAlarmsConfig(reader: ContextReader): AlarmsDeployConfig {
  const email = reader.matching(
    'alarmEmail',
    EMAIL_PATTERN,
    'an email address; use one address like ops@example.com (for several people, use a mailing list or -c alarmTopicArn)',
  );
  const topicArn = reader.matching(
    'alarmTopicArn',
    TOPIC_ARN_PATTERN,
    'an SNS topic ARN; use the ARN of a topic in the region you deploy to, like arn:aws:sns:eu-west-1:123456789012:alarms',
  );
  if (reader.has('alarmEmail') && reader.has('alarmTopicArn')) {
    reader.problems.push(
      'alarmEmail and alarmTopicArn: set one of them; subscribe the address to your topic yourself, or let the stacks create a topic for alarmEmail',
    );
    return {};
  }
  const topicKeyArn = reader.matching(
    'alarmTopicKeyArn',
    KMS_KEY_ARN_PATTERN,
    'a KMS key ARN; use the ARN of a symmetric key in the region you deploy to whose policy lets cloudwatch.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt)',
  );
  if (reader.has('alarmTopicKeyArn') && !reader.has('alarmEmail')) {
    reader.problems.push(
      'alarmTopicKeyArn: only used for the topic the stacks create for alarmEmail; encrypt a topic you bring (alarmTopicArn) yourself',
    );
  }
  const key = topicKeyArn === undefined ? {} : { topicKeyArn };
  if (email !== undefined) return { notifications: { kind: 'email', email }, ...key };
  if (topicArn !== undefined) return { notifications: { kind: 'topic', topicArn } };
  return {};
}
