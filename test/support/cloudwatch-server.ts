import { startAwsJsonServer } from './aws-json-server';

/** An alarm the stand-in answers for. */
export interface TestAlarm {
  readonly name: string;
  /** @default 'OK' */
  readonly state?: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly description?: string;
  /** Its ALARM and OK actions (topic ARNs). */
  readonly actions?: readonly string[];
}

/**
 * A minimal CloudWatch for tests: the AWS JSON 1.0 protocol the v3 SDK speaks to it
 * (`X-Amz-Target: GraniteServiceVersion20100801.DescribeAlarms`), metric alarms kept in memory.
 * Only DescribeAlarms by name.
 */
export interface TestCloudWatch {
  /** The value of `AWS_ENDPOINT_URL_CLOUDWATCH`. */
  readonly endpoint: string;
  put(alarm: TestAlarm): void;
  stop(): Promise<void>;
}

export async function startTestCloudWatch(): Promise<TestCloudWatch> {
  const alarms = new Map<string, TestAlarm>();
  const server = await startAwsJsonServer({
    contentType: 'application/x-amz-json-1.0',
    answer: ({ target, input }) => {
      if (target !== 'GraniteServiceVersion20100801.DescribeAlarms') {
        return { status: 400, body: { __type: 'InvalidAction', message: `${target} is not supported here` } };
      }
      const names = (input.AlarmNames as string[] | undefined) ?? [...alarms.keys()];
      const MetricAlarms = names
        .map((name) => alarms.get(name))
        .filter((alarm) => alarm !== undefined)
        .map((alarm) => ({
          AlarmName: alarm.name,
          AlarmDescription: alarm.description ?? '',
          StateValue: alarm.state ?? 'OK',
          StateReason: `Threshold Crossed: test state ${alarm.state ?? 'OK'}`,
          AlarmActions: alarm.actions ?? [],
          OKActions: alarm.actions ?? [],
        }));
      return { status: 200, body: { MetricAlarms, CompositeAlarms: [] } };
    },
  });
  return { endpoint: server.endpoint, put: (alarm) => alarms.set(alarm.name, alarm), stop: server.stop };
}
