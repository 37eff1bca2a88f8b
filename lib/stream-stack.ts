import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import type { StreamDeployConfig } from './config';
import type { EventArchive } from './constructs/event-archive';
import type { StreamAlarms } from './constructs/stream-alarms';
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
  /** What the stack holds: the exported stream-side resources, added to the stack itself. */
  readonly side: StreamSide;
  readonly stream: kinesis.IStream;
  /** The failed-events stream (same capacity, retention and encryption), unless turned off. */
  readonly failedStream?: kinesis.Stream;
  readonly writerRole: iam.Role;
  readonly alarms: StreamAlarms;
  /** The S3 archive of the streams (`-c archive=true`), with its Glue tables and alarms. */
  readonly archive?: EventArchive;

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
    this.stream = side.stream;
    this.failedStream = side.failedStream;
    this.writerRole = side.writerRole;
    this.alarms = side.alarms;
    this.archive = side.archive;

    if (this.archive !== undefined) {
      new CfnOutput(this, 'ArchiveBucketName', {
        value: this.archive.bucket.bucketName,
        description: 'S3 bucket holding the archive (events/, failed/, errors/): docs/archive.md',
      });
      new CfnOutput(this, 'ArchiveDatabaseName', {
        value: this.archive.databaseName,
        description: 'Glue database of the archive tables, for Athena: docs/archive.md',
      });
    }

    new CfnOutput(this, 'StreamName', { value: this.stream.streamName, description: 'Kinesis stream name' });
    new CfnOutput(this, 'StreamArn', {
      value: this.stream.streamArn,
      description: 'Kinesis stream ARN: -c streamArn=... for the collector stack',
    });
    if (this.failedStream !== undefined) {
      new CfnOutput(this, 'FailedStreamName', {
        value: this.failedStream.streamName,
        description:
          'Failed-events stream (refused events with their reason): -c failedStreamName=... for the collector stack',
      });
    }
    new CfnOutput(this, 'WriterRoleArn', {
      value: this.writerRole.roleArn,
      description:
        'Role the collector assumes (with its external ID): -c writerRoleArn=... for the collector stack',
    });
  }
}
