import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type AwsConnection, clientConfig } from './aws-connection';

/** An alarm as the command reads it. */
export interface AlarmState {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`. */
  readonly state: string;
  readonly reason: string;
  readonly description: string;
  /** ARNs of its ALARM and OK actions (SNS topics). */
  readonly actions: readonly string[];
}

/** DescribeAlarms takes at most 100 names a call. */
const NAMES_PER_CALL = 100;

/** The CloudWatch adapter: the alarms of these names that exist (metric and composite). */
export async function describeAlarms(
  connection: AwsConnection,
  names: readonly string[],
): Promise<AlarmState[]> {
  const client = new CloudWatchClient(clientConfig(connection, 'cloudwatch'));
  const alarms: AlarmState[] = [];
  try {
    for (let at = 0; at < names.length; at += NAMES_PER_CALL) {
      const page = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(at, at + NAMES_PER_CALL),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: NAMES_PER_CALL,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        alarms.push({
          name: alarm.AlarmName ?? '',
          state: alarm.StateValue ?? 'INSUFFICIENT_DATA',
          reason: alarm.StateReason ?? '',
          description: alarm.AlarmDescription ?? '',
          actions: [...new Set([...(alarm.AlarmActions ?? []), ...(alarm.OKActions ?? [])])],
        });
      }
    }
    return alarms;
  } finally {
    client.destroy();
  }
}
