import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import { collectorRoleArnPattern } from './collector-role-path';
import type { StreamDeployConfig } from './config';
import { alarmTopicAction } from './constructs/alarm-topic';
import { EventArchive } from './constructs/event-archive';
import { EventStream } from './constructs/event-stream';
import { StreamAlarms } from './constructs/stream-alarms';
import { StreamWriterRole } from './constructs/stream-writer-role';

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
 * assumes. Its outputs are what the collector's account needs (`-c writerRoleArn`, `-c streamArn`).
 */
export class StreamStack extends Stack {
  readonly stream: kinesis.Stream;
  /** The failed-events stream (same capacity, retention and encryption), unless turned off. */
  readonly failedStream?: kinesis.Stream;
  readonly writerRole: iam.Role;
  readonly alarms: StreamAlarms;
  /** The S3 archive of the streams (`-c archive=true`), with its Glue tables and alarms. */
  readonly archive?: EventArchive;

  constructor(scope: Construct, id: string, props: StreamStackProps) {
    super(scope, id, props);
    const { config } = props;
    const events = new EventStream(this, 'Events', {
      ...(config.capacity.mode === 'provisioned' ? { shardCount: config.capacity.shardCount } : {}),
      retention: Duration.hours(config.retentionHours),
      customerManagedKey: config.encryption === 'customer-managed',
    });
    this.stream = events.stream;
    const failed = config.failedEventsStream
      ? new EventStream(this, 'FailedEvents', {
          ...(config.capacity.mode === 'provisioned' ? { shardCount: config.capacity.shardCount } : {}),
          retention: Duration.hours(config.retentionHours),
          ...(events.key === undefined ? {} : { sharedKey: events.key }),
        })
      : undefined;
    this.failedStream = failed?.stream;
    const trustedAccount = config.collectorAccountId ?? this.account;
    this.writerRole = new StreamWriterRole(this, 'Writer', {
      stream: events.stream,
      ...(events.key === undefined ? {} : { encryptionKey: events.key }),
      ...(failed === undefined ? {} : { failedStream: failed.stream }),
      trustedAccountId: trustedAccount,
      trustedPrincipalArns: [
        props.collectorRoleArn ??
          config.collectorRoleArn ??
          collectorRoleArnPattern(this.partition, trustedAccount, props.collectorStackPrefix),
      ],
      externalIds: config.externalIds,
    }).role;
    const action = alarmTopicAction(this, config.alarms);
    this.alarms = new StreamAlarms(this, 'Alarms', {
      stream: this.stream,
      ...(config.iteratorAgeAlarmSeconds === undefined
        ? {}
        : { iteratorAgeThreshold: Duration.seconds(config.iteratorAgeAlarmSeconds) }),
      ...(action === undefined ? {} : { action }),
    });

    if (config.archive !== undefined) {
      const { archive } = config;
      this.archive = new EventArchive(this, 'Archive', {
        stream: this.stream,
        ...(this.failedStream === undefined ? {} : { failedStream: this.failedStream }),
        ...(events.key === undefined ? {} : { encryptionKey: events.key }),
        recordFormat: archive.recordFormat,
        transitionAfter: Duration.days(archive.transitionDays),
        ...(archive.expirationDays === undefined
          ? {}
          : { expiration: Duration.days(archive.expirationDays) }),
        bufferInterval: Duration.seconds(archive.bufferSeconds),
        bufferSizeMb: archive.bufferMb,
        ...(action === undefined ? {} : { action }),
      });
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
