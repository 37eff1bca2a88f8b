import type { AwsConnection } from './aws-connection';
import { CloudFormationStacks } from './cloudformation-stack';
import { verifyAlarmTopic } from './step-alarm-topic';
import { readStackAlarms, verifyAlarms } from './step-alarms';
import { verifyFailedEvent } from './step-failed-event';
import { type VerifyTarget, verifyOutputs } from './step-outputs';
import { testWriteKey, verifyTestEvent } from './step-test-event';
import { verifyWriterTrust } from './step-writer-trust';
import type { StreamAccess } from './stream-access';
import { notChecked, VERIFY_STEP_DESCRIPTIONS, VERIFY_STEP_NAMES, type VerifyStep } from './verify-step';

export interface VerifyDependencies {
  readonly connection: AwsConnection;
  readonly streams: StreamAccess;
  /** @default the system clock */
  readonly now?: () => Date;
}

/**
 * `npm run verify-deployment`: checks a deployed collector as a user would, one step after the
 * other (tools/verify/step-*.ts), and returns every step: outputs, a test event through the
 * collector into the stream, an invalid one into the failed-events stream, the alarm topic, the
 * alarms, the writer role's trust. A step that cannot run here is "not checked" with the reason.
 */
export async function verifyDeployment(
  target: VerifyTarget,
  deps: VerifyDependencies,
): Promise<VerifyStep[]> {
  const stacks = new CloudFormationStacks(deps.connection);
  try {
    const outputs = await verifyOutputs(target, stacks);
    const { deployment } = outputs;
    if (deployment === undefined) {
      return [
        outputs.step,
        ...VERIFY_STEP_NAMES.filter((name) => name !== 'outputs').map((name) =>
          notChecked(name, VERIFY_STEP_DESCRIPTIONS[name], 'needs the stack outputs (first step)'),
        ),
      ];
    }
    const key = await testWriteKey(deployment, deps.connection, target.sourceId);
    const testEvent = await verifyTestEvent(deployment, key, deps.streams, deps.now);
    const failedEvent = await verifyFailedEvent(deployment, key, deps.streams, deps.now);
    const alarms = await readStackAlarms(deployment, deps.connection);
    return [
      outputs.step,
      testEvent,
      failedEvent,
      await verifyAlarmTopic(alarms, deps.connection),
      verifyAlarms(alarms),
      await verifyWriterTrust(deployment, deps.connection),
    ];
  } finally {
    stacks.destroy();
  }
}
