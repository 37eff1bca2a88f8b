import { EMAIL_PATTERN, TOPIC_ARN_PATTERN } from './context-patterns';
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
  if (email !== undefined) return { notifications: { kind: 'email', email } };
  if (topicArn !== undefined) return { notifications: { kind: 'topic', topicArn } };
  return {};
}
