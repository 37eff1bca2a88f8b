import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StreamDeployConfig } from './config';
import { StreamSide } from './stream-side';

export interface StreamStackProps extends StackProps {
  readonly config: StreamDeployConfig;
  /**
   * The collector role's exact ARN (context key `collectorRoleArn`): the only principal that may
   * assume the writer role.
   * @default - the roles under the collector IAM path (lib/collector-role-path.ts) in the trusted account
   */
  readonly collectorRoleArn?: string;
  /**
   * The stack prefix of the collector deployed next to this stack (same account): narrows the trust
   * to that deployment's roles, `/kinesis-event-forwarder/<prefix>/*`.
   * @default - any collector deployment's roles, `/kinesis-event-forwarder/*`
   */
  readonly collectorStackPrefix?: string;
}

/**
 * Deployed in the account that owns the data: the event stream and the writer role the collector
 * assumes ({@link StreamSide}, whose resources it holds directly). Its outputs are what the collector's account needs (`-c writerRoleArn`, `-c streamArn`).
 */
export class StreamStack extends Stack {
  /**
   * What the stack holds (the stream, the failed-events stream, the writer role, alarms, the
   * archive): the exported stream-side resources, added to the stack itself.
   */
  readonly side: StreamSide;
  constructor(scope: Construct, id: string, props: StreamStackProps) {
    super(scope, id, props);
    const side = new StreamSide(this, {
      config: props.config,
      ...(props.collectorRoleArn === undefined ? {} : { collectorRoleArn: props.collectorRoleArn }),
      ...(props.collectorStackPrefix === undefined
        ? {}
        : { collectorStackPrefix: props.collectorStackPrefix }),
    });
    this.side = side;

    if (side.archive !== undefined) {
      new CfnOutput(this, 'ArchiveBucketName', {
        value: side.archive.bucket.bucketName,
        description: 'S3 bucket holding the archive (events/, failed/, errors/): docs/archive.md',
      });
      new CfnOutput(this, 'ArchiveDatabaseName', {
        value: side.archive.databaseName,
        description: 'Glue database of the archive tables, for Athena: docs/archive.md',
      });
    }

    new CfnOutput(this, 'StreamName', { value: side.stream.streamName, description: 'Kinesis stream name' });
    new CfnOutput(this, 'StreamArn', {
      value: side.stream.streamArn,
      description: 'Kinesis stream ARN: -c streamArn=... for the collector stack',
    });
    if (side.failedStream !== undefined) {
      new CfnOutput(this, 'FailedStreamName', {
        value: side.failedStream.streamName,
        description:
          'Failed-events stream (refused events with their reason): -c failedStreamName=... for the collector stack',
      });
    }
    new CfnOutput(this, 'WriterRoleArn', {
      value: side.writerRole.roleArn,
      description:
        'Role the collector assumes (with its external ID): -c writerRoleArn=... for the collector stack',
    });
  }
}
