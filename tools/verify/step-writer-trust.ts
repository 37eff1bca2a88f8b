import { type AwsConnection, unavailable } from './aws-connection';
import { failedCall, isAccessDenied } from './aws-error';
import { readTrustPolicy } from './iam-role';
import type { Deployment } from './step-outputs';
import { trustNaming } from './trust-policy';
import { found, notChecked, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';

/** Step 6: the writer role's trust policy names the collector's role (the `CollectorRoleArn` output). */
export async function verifyWriterTrust(
  deployment: Deployment,
  connection: AwsConnection,
): Promise<VerifyStep> {
  const description = VERIFY_STEP_DESCRIPTIONS['writer-trust'];
  const { writerRoleArn, collectorRoleArn } = deployment;
  if (writerRoleArn === undefined) {
    return notChecked(
      'writer-trust',
      description,
      "the writer role is in the data owner's account (cross-account): they check its trust names the CollectorRoleArn output",
    );
  }
  const why = unavailable(connection, 'iam');
  if (why !== undefined) return notChecked('writer-trust', description, why);
  let trust: string;
  try {
    trust = await readTrustPolicy(connection, writerRoleArn);
  } catch (error) {
    if (isAccessDenied(error)) {
      return notChecked(
        'writer-trust',
        description,
        `iam:GetRole on ${writerRoleArn} is denied; to check, run as a principal allowed it`,
      );
    }
    return failedCall('writer-trust', description, error, 'iam:GetRole');
  }
  const naming = trustNaming(trust, collectorRoleArn);
  if (naming === undefined) {
    return found(
      'writer-trust',
      description,
      'CollectorNotTrusted',
      `${writerRoleArn} does not trust ${collectorRoleArn}`,
      {
        meaning: 'the collector cannot assume the writer role: every event is answered 503 and spilled',
        fix: 'deploy the stream stack with -c collectorRoleArn=<the CollectorRoleArn output> (or, same account, deploy both stacks together with the same stack prefix)',
      },
    );
  }
  return passed('writer-trust', description, `${writerRoleArn} ${naming}`);
}
