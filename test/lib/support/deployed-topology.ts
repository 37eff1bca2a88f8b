import type { Template } from 'aws-cdk-lib/assertions';
import { type DeployedValues, type IamPolicy, policiesOfRole, resolveIntrinsics } from './resolve-intrinsics';
import { logicalIdStartingWith, resourcesOf } from './template-assertions';

/** One stack as deployed: its template and what CloudFormation gave its resources. */
export interface DeployedStack {
  readonly template: Template;
  readonly values: DeployedValues;
}

/** Both stacks of a deployment topology, deployed, and what the collector was deployed with. */
export interface Topology {
  readonly stream: DeployedStack;
  readonly collector: DeployedStack;
  readonly collectorAccount: string;
  readonly externalId: string;
}

/** Which stack: the stream stack (data owner) or the collector stack. */
export type Side = 'stream' | 'collector';

/** Reads a deployed topology: ARNs, roles and resource policies by logical id, resolved. */
export class DeployedTopology {
  constructor(readonly topology: Topology) {}

  side(side: Side): DeployedStack {
    return this.topology[side];
  }

  id(side: Side, type: string, prefix: string): string {
    return logicalIdStartingWith(this.side(side).template, type, prefix);
  }

  ids(side: Side, type: string): string[] {
    return Object.keys(resourcesOf(this.side(side).template, type));
  }

  arn(side: Side, logicalId: string): string {
    const found = this.side(side).values.attributes[`${logicalId}.Arn`];
    if (found === undefined) throw new Error(`no ARN for ${logicalId}`);
    return found;
  }

  ref(side: Side, logicalId: string): string {
    const found = this.side(side).values.refs[logicalId];
    if (found === undefined) throw new Error(`no Ref for ${logicalId}`);
    return found;
  }

  resolve<T>(side: Side, value: unknown): T {
    return resolveIntrinsics(value, this.side(side).values) as T;
  }

  properties(side: Side, logicalId: string): Record<string, unknown> {
    return this.side(side).template.toJSON().Resources[logicalId].Properties;
  }

  role(side: Side, prefix: string) {
    const id = this.id(side, 'AWS::IAM::Role', prefix);
    const { trustPolicy, identityPolicies } = policiesOfRole(this.side(side).template, id);
    return {
      id,
      arn: this.arn(side, id),
      trustPolicy: this.resolve<IamPolicy>(side, trustPolicy),
      identityPolicies: identityPolicies.map(({ name, policy }) => ({
        name,
        policy: this.resolve<IamPolicy>(side, policy),
      })),
    };
  }

  collectorRole() {
    return this.role('collector', 'CollectorRole');
  }

  writerRole() {
    return this.role('stream', 'WriterRole');
  }

  /** The policy document of the `AWS::SQS::QueuePolicy` / `AWS::SNS::TopicPolicy` with this id. */
  policyDocument(side: Side, logicalId: string): IamPolicy {
    return this.resolve<IamPolicy>(side, this.properties(side, logicalId).PolicyDocument);
  }

  keyPolicy(side: Side, logicalId: string): IamPolicy {
    return this.resolve<IamPolicy>(side, this.properties(side, logicalId).KeyPolicy);
  }

  /**
   * An `AWS::Lambda::Permission` as the statement Lambda adds to the function's resource policy.
   * A property this test does not model fails it rather than being ignored.
   */
  lambdaPermission(side: Side, logicalId: string): { functionArn: string; policy: IamPolicy } {
    const { Action, FunctionName, Principal, SourceArn, SourceAccount, ...rest } = this.properties(
      side,
      logicalId,
    );
    if (Object.keys(rest).length > 0)
      throw new Error(`${logicalId}: model ${Object.keys(rest).join(', ')} in the grant matrix`);
    const functionArn = this.resolve<string>(side, FunctionName);
    const principal = String(Principal);
    const condition = {
      ...(SourceArn === undefined ? {} : { ArnLike: { 'aws:SourceArn': this.resolve(side, SourceArn) } }),
      ...(SourceAccount === undefined
        ? {}
        : { StringEquals: { 'aws:SourceAccount': this.resolve(side, SourceAccount) } }),
    };
    return {
      functionArn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
            Action: Action,
            Resource: functionArn,
            ...(Object.keys(condition).length === 0 ? {} : { Condition: condition }),
          },
        ],
      },
    };
  }

  /** The topic policy of the stack's alarm topic, and the topic's ARN and key. */
  alarmTopic(side: Side) {
    const topicId = this.id(side, 'AWS::SNS::Topic', 'AlarmTopic');
    const policyId = this.id(side, 'AWS::SNS::TopicPolicy', 'AlarmTopicPolicy');
    const key = this.properties(side, topicId).KmsMasterKeyId;
    return {
      policyId,
      arn: this.ref(side, topicId),
      policy: this.policyDocument(side, policyId),
      ...(key === undefined ? {} : { keyArn: this.resolve<string>(side, key) }),
    };
  }

  spill() {
    const queue = this.id('collector', 'AWS::SQS::Queue', 'SpillQueue');
    const deadLetters = this.id('collector', 'AWS::SQS::Queue', 'SpillDeadLetters');
    const key = this.id('collector', 'AWS::KMS::Key', 'SpillKey');
    return {
      queueArn: this.arn('collector', queue),
      deadLettersArn: this.arn('collector', deadLetters),
      queuePolicyId: this.id('collector', 'AWS::SQS::QueuePolicy', 'SpillQueuePolicy'),
      deadLettersPolicyId: this.id('collector', 'AWS::SQS::QueuePolicy', 'SpillDeadLettersPolicy'),
      keyId: key,
      keyArn: this.arn('collector', key),
    };
  }

  /** The archive (`-c archive=true`): its bucket, bucket policy, Firehose role and log group. */
  archive() {
    const bucket = this.id('stream', 'AWS::S3::Bucket', 'ArchiveBucket');
    const logGroup = this.id('stream', 'AWS::Logs::LogGroup', 'ArchiveDeliveryLogs');
    const bucketPolicyId = this.id('stream', 'AWS::S3::BucketPolicy', 'ArchiveBucketPolicy');
    return {
      bucketArn: this.arn('stream', bucket),
      bucketPolicyId,
      bucketPolicy: this.policyDocument('stream', bucketPolicyId),
      role: this.role('stream', 'ArchiveDeliveryRole'),
      logGroupArn: this.arn('stream', logGroup),
    };
  }

  streamKey() {
    const id = this.id('stream', 'AWS::KMS::Key', 'EventsKey');
    return { id, arn: this.arn('stream', id) };
  }
}
