import { type AwsConnection, unavailable } from './aws-connection';
import { failedCall, isAccessDenied } from './aws-error';
import { type AlarmState, describeAlarms } from './cloudwatch-alarms';
import type { Deployment } from './step-outputs';
import { found, notChecked, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';

/** The stacks' alarms: the names their templates created and the ones CloudWatch has, or why they are unknown. */
export type StackAlarms =
  | { readonly names: readonly string[]; readonly alarms: readonly AlarmState[] }
  | { readonly error: unknown; readonly call: string }
  | { readonly unavailable: string };

/** Reads the alarms of the collector stack and, when it is here, the stream stack. */
export async function readStackAlarms(
  deployment: Deployment,
  connection: AwsConnection,
): Promise<StackAlarms> {
  const why = unavailable(connection, 'cloudwatch');
  if (why !== undefined) return { unavailable: why };
  let names: string[];
  try {
    const stacks = [
      deployment.collectorStack,
      ...(deployment.streamStack === undefined ? [] : [deployment.streamStack]),
    ];
    names = (
      await Promise.all(stacks.map((stack) => stack.resourcesOfType('AWS::CloudWatch::Alarm')))
    ).flat();
  } catch (error) {
    return { error, call: 'cloudformation:ListStackResources' };
  }
  try {
    return { names, alarms: await describeAlarms(connection, names) };
  } catch (error) {
    return { error, call: 'cloudwatch:DescribeAlarms' };
  }
}

/** Step 5: every alarm the stacks created exists in CloudWatch and none is in ALARM. */
export function verifyAlarms(read: StackAlarms): VerifyStep {
  const description = VERIFY_STEP_DESCRIPTIONS.alarms;
  if ('unavailable' in read) return notChecked('alarms', description, read.unavailable);
  if ('error' in read) {
    if (isAccessDenied(read.error)) {
      return notChecked(
        'alarms',
        description,
        `${read.call} is denied; to check, run as a principal allowed cloudformation:ListStackResources and cloudwatch:DescribeAlarms`,
      );
    }
    return failedCall('alarms', description, read.error, read.call);
  }
  const present = new Set(read.alarms.map((alarm) => alarm.name));
  const absent = read.names.filter((name) => !present.has(name));
  if (absent.length > 0) {
    return found('alarms', description, 'AlarmMissing', `${absent.join(', ')} not in CloudWatch`, {
      meaning: 'an alarm the stack created was deleted by hand: nobody is told of what it watches',
      fix: 'deploy the stacks again (CloudFormation does not see the deletion: change nothing and run npx cdk deploy; if it reports no changes, remove and re-add the alarm with a stack update, or delete and re-create the stack)',
    });
  }
  const firing = read.alarms.filter((alarm) => alarm.state === 'ALARM');
  if (firing.length > 0) {
    return found(
      'alarms',
      description,
      'InAlarm',
      firing.map((alarm) => `${alarm.name}: ${alarm.reason}`).join('; '),
      {
        meaning: firing.map((alarm) => alarm.description).join(' | '),
        fix: 'follow the runbook section its description links (docs/operations.md, "Alarms"); run the command again once it is back to OK',
      },
    );
  }
  const waiting = read.alarms.filter((alarm) => alarm.state === 'INSUFFICIENT_DATA').length;
  return passed(
    'alarms',
    description,
    `${read.alarms.length} alarms, none in ALARM${waiting === 0 ? '' : ` (${waiting} without data yet, as a new or idle stack's are)`}`,
  );
}
