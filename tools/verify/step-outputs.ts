import { failedCall } from './aws-error';
import type { CloudFormationStacks, DeployedStack } from './cloudformation-stack';
import { found, passed, VERIFY_STEP_DESCRIPTIONS, type VerifyStep } from './verify-step';

/** What the command is asked to verify (tools/verify/verify-args.ts reads it from the command line). */
export interface VerifyTarget {
  /** The collector stack, e.g. `KinesisEventForwarder-Collector`. */
  readonly stack: string;
  /** The stream stack, when it is in this account and region; `defaulted` when not named on the command line. */
  readonly streamStack?: { readonly name: string; readonly defaulted: boolean };
  /** The stream and failed-events stream, when no stream stack here names them (cross-account). */
  readonly streamName?: string;
  readonly failedStreamName?: string;
  /** The source whose write key sends the test events. @default the secret's first source */
  readonly sourceId?: string;
}

/** What the later steps use: the stacks and the values of their outputs. */
export interface Deployment {
  readonly collectorStack: DeployedStack;
  readonly streamStack?: DeployedStack;
  readonly collectorUrl: string;
  readonly writeKeysSecretArn: string;
  readonly collectorRoleArn: string;
  readonly streamName?: string;
  readonly failedStreamName?: string;
  readonly writerRoleArn?: string;
}

/** Outputs every collector stack has (lib/collector-stack.ts). */
export const COLLECTOR_OUTPUTS = [
  'CollectorUrl',
  'CollectorRoleArn',
  'WriteKeysSecretArn',
  'SpillQueueUrl',
  'SpillDeadLetterQueueUrl',
] as const;
/** Outputs every stream stack has (lib/stream-stack.ts); `FailedStreamName` only with a failed-events stream. */
export const STREAM_OUTPUTS = ['StreamName', 'StreamArn', 'WriterRoleArn'] as const;

/** The stream stack deployed next to a collector stack `<prefix>-Collector`: `<prefix>-Stream`. */
export function streamStackNameOf(collectorStack: string): string | undefined {
  return collectorStack.endsWith('-Collector')
    ? `${collectorStack.slice(0, -'-Collector'.length)}-Stream`
    : undefined;
}

/** A stack CloudFormation finished deploying: `*_COMPLETE` and not rolled back or deleted. */
const isDeployed = (status: string) => status.endsWith('_COMPLETE') && !/ROLLBACK|DELETE/.test(status);

const missing = (stack: DeployedStack, names: readonly string[]) =>
  names.filter((name) => stack.outputs[name] === undefined || stack.outputs[name] === '');

/**
 * Step 1: the collector stack (and the stream stack, when it is here) is deployed and has every
 * output the later steps and the users need. Returns the deployment the later steps check.
 */
export async function verifyOutputs(
  target: VerifyTarget,
  stacks: CloudFormationStacks,
): Promise<{ step: VerifyStep; deployment?: Deployment }> {
  const description = VERIFY_STEP_DESCRIPTIONS.outputs;
  const fail = (code: string, message: string, meaning: string, fix: string) => ({
    step: found('outputs', description, code, message, { meaning, fix }),
  });
  let collectorStack: DeployedStack | undefined;
  let streamStack: DeployedStack | undefined;
  try {
    collectorStack = await stacks.read(target.stack);
    if (target.streamStack !== undefined) streamStack = await stacks.read(target.streamStack.name);
  } catch (error) {
    return { step: failedCall('outputs', description, error, 'cloudformation:DescribeStacks') };
  }
  if (collectorStack === undefined) {
    return fail(
      'StackNotFound',
      `no stack "${target.stack}" in this account and region`,
      'the collector is not deployed under that name where the command looked',
      "give the collector stack's name (<stackPrefix>-Collector, by default KinesisEventForwarder-Collector) with --stack, and its region with --region or AWS_REGION (aws cloudformation list-stacks lists them)",
    );
  }
  if (target.streamStack !== undefined && streamStack === undefined && !target.streamStack.defaulted) {
    return fail(
      'StackNotFound',
      `no stack "${target.streamStack.name}" in this account and region`,
      'the stream stack named by --stream-stack is not deployed here',
      "give the stream stack's name with --stream-stack, or (cross-account: the stream is in the data owner's account) leave it out and give --stream and --failed-stream",
    );
  }
  for (const stack of [collectorStack, ...(streamStack === undefined ? [] : [streamStack])]) {
    if (!isDeployed(stack.status)) {
      return fail(
        'StackNotDeployed',
        `stack "${stack.name}" is ${stack.status}`,
        'its last deployment did not complete, so its resources and outputs may be missing or old',
        `read why in the stack's events (aws cloudformation describe-stack-events --stack-name ${stack.name}), fix it and run npx cdk deploy again`,
      );
    }
  }
  const absent = [
    ...missing(collectorStack, COLLECTOR_OUTPUTS).map((name) => `${collectorStack.name}.${name}`),
    ...(streamStack === undefined
      ? []
      : missing(streamStack, STREAM_OUTPUTS).map((name) => `${streamStack.name}.${name}`)),
  ];
  if (absent.length > 0) {
    return fail(
      'OutputMissing',
      `no output ${absent.join(', ')}`,
      'the stack was deployed from an older or changed app: users and this command read these outputs',
      'deploy the stacks again from this checkout (npx cdk deploy with the same -c context keys)',
    );
  }
  const { outputs } = collectorStack;
  const streamName = streamStack?.outputs.StreamName ?? target.streamName;
  const failedStreamName = streamStack?.outputs.FailedStreamName ?? target.failedStreamName;
  const writerRoleArn = streamStack?.outputs.WriterRoleArn;
  const deployment: Deployment = {
    collectorStack,
    ...(streamStack === undefined ? {} : { streamStack }),
    collectorUrl: outputs.CollectorUrl as string,
    writeKeysSecretArn: outputs.WriteKeysSecretArn as string,
    collectorRoleArn: outputs.CollectorRoleArn as string,
    ...(streamName === undefined ? {} : { streamName }),
    ...(failedStreamName === undefined ? {} : { failedStreamName }),
    ...(writerRoleArn === undefined ? {} : { writerRoleArn }),
  };
  const where =
    streamStack !== undefined
      ? `; stream stack ${streamStack.name} ${streamStack.status}`
      : target.streamStack?.defaulted
        ? `; no stack ${target.streamStack.name} here (cross-account: the stream is the data owner's)`
        : '';
  return {
    step: passed(
      'outputs',
      description,
      `${collectorStack.name} ${collectorStack.status}, CollectorUrl ${deployment.collectorUrl}${where}`,
    ),
    deployment,
  };
}
