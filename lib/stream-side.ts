import { Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import { collectorRoleArnPattern } from './collector-role-path';
import type { DeployDestination, StreamDeployConfig } from './config';
import { type AlarmTopic, alarmTopicOf } from './constructs/alarm-topic';
import { EventArchive } from './constructs/event-archive';
import { EventStream } from './constructs/event-stream';
import { StreamAlarms } from './constructs/stream-alarms';
import { StreamWriterRole } from './constructs/stream-writer-role';

export interface StreamSideProps {
  /** The stream side's settings (capacity, retention, encryption, external IDs, alarms). */
  readonly config: StreamDeployConfig;
  /**
   * The collector role's exact ARN: the only principal that may assume the writer role.
   * @default - `config.collectorRoleArn`, else the roles under the collector IAM path
   * (lib/collector-role-path.ts) in the trusted account
   */
  readonly collectorRoleArn?: string;
  /**
   * The stack prefix (IAM path segment) of the collector deployed next to this side (same
   * account): narrows the trust to that deployment's roles, `/kinesis-event-forwarder/<prefix>/*`.
   * @default - any collector deployment's roles, `/kinesis-event-forwarder/*`
   */
  readonly collectorStackPrefix?: string;
  /**
   * A stream that already exists, to write into instead of a new one: no stream, no failed-events
   * stream and no key are created, the writer role may put records into exactly this stream (and
   * use its `encryptionKey`, when the stream object knows it, through Kinesis only). Then
   * `config.capacity`, `config.retentionHours` and `config.encryption` are not used, and
   * `config.failedEventsStream` must be false.
   * @default - a new stream (and failed-events stream) as `config` describes
   */
  readonly existingStream?: kinesis.IStream;
}

/**
 * The account that owns the data: the event stream (or an existing one), the failed-events stream,
 * the writer role the collector assumes with an external ID, the stream's alarms and their topic.
 *
 * Not a construct of its own: it adds its resources (`Events`, `FailedEvents`, `Writer`,
 * `AlarmTopic`, `Alarms`) to the scope it is given, so `StreamStack` passes itself and its logical
 * ids stay those of every existing deployment (test/lib/logical-id-pin.test.ts). Give it a scope
 * of its own (`new Construct(stack, 'Stream')`) to put it next to other resources, as
 * `KinesisEventForwarder` does. Its destination for a collector: {@link destination}.
 */
export class StreamSide {
  /** The stream events are written to: the new one, or `existingStream`. */
  readonly stream: kinesis.IStream;
  /** The failed-events stream (same capacity, retention and encryption), unless turned off. */
  readonly failedStream?: kinesis.Stream;
  readonly writerRole: iam.Role;
  readonly alarms: StreamAlarms;
  /** The topic alarm state changes go to, when `config.alarms` names one. */
  readonly alarmTopic?: AlarmTopic;
  /** The S3 archive of the streams (`config.archive`), with its Glue tables and alarms. */
  readonly archive?: EventArchive;
  /** The first of `config.externalIds`: the one a collector of the same app writes with. */
  private readonly externalId: string | undefined;

  constructor(
    readonly scope: Construct,
    props: StreamSideProps,
  ) {
    const { config, existingStream } = props;
    if (existingStream !== undefined && config.failedEventsStream) {
      throw new Error(
        'StreamSide: with existingStream no failed-events stream is created; set config.failedEventsStream to false',
      );
    }
    const stack = Stack.of(scope);
    const events =
      existingStream === undefined
        ? new EventStream(scope, 'Events', {
            ...(config.capacity.mode === 'provisioned' ? { shardCount: config.capacity.shardCount } : {}),
            retention: Duration.hours(config.retentionHours),
            customerManagedKey: config.encryption === 'customer-managed',
          })
        : undefined;
    this.stream = events?.stream ?? (existingStream as kinesis.IStream);
    const encryptionKey = events === undefined ? existingStream?.encryptionKey : events.key;
    const failed =
      events !== undefined && config.failedEventsStream
        ? new EventStream(scope, 'FailedEvents', {
            ...(config.capacity.mode === 'provisioned' ? { shardCount: config.capacity.shardCount } : {}),
            retention: Duration.hours(config.retentionHours),
            ...(events.key === undefined ? {} : { sharedKey: events.key }),
          })
        : undefined;
    this.failedStream = failed?.stream;
    const trustedAccount = config.collectorAccountId ?? stack.account;
    this.writerRole = new StreamWriterRole(scope, 'Writer', {
      stream: this.stream,
      ...(encryptionKey === undefined ? {} : { encryptionKey }),
      ...(failed === undefined ? {} : { failedStream: failed.stream }),
      trustedAccountId: trustedAccount,
      trustedPrincipalArns: [
        props.collectorRoleArn ??
          config.collectorRoleArn ??
          collectorRoleArnPattern(stack.partition, trustedAccount, props.collectorStackPrefix),
      ],
      externalIds: config.externalIds,
    }).role;
    this.alarmTopic = alarmTopicOf(scope, config.alarms);
    this.alarms = new StreamAlarms(scope, 'Alarms', {
      stream: this.stream,
      ...(config.iteratorAgeAlarmSeconds === undefined
        ? {}
        : { iteratorAgeThreshold: Duration.seconds(config.iteratorAgeAlarmSeconds) }),
      ...(this.alarmTopic === undefined ? {} : { action: this.alarmTopic.action }),
    });
    if (config.archive !== undefined) {
      const { archive } = config;
      this.archive = new EventArchive(scope, 'Archive', {
        stream: this.stream,
        ...(this.failedStream === undefined ? {} : { failedStream: this.failedStream }),
        ...(encryptionKey === undefined ? {} : { encryptionKey }),
        recordFormat: archive.recordFormat,
        transitionAfter: Duration.days(archive.transitionDays),
        ...(archive.expirationDays === undefined
          ? {}
          : { expiration: Duration.days(archive.expirationDays) }),
        bufferInterval: Duration.seconds(archive.bufferSeconds),
        bufferSizeMb: archive.bufferMb,
        ...(this.alarmTopic === undefined ? {} : { action: this.alarmTopic.action }),
      });
    }
    this.externalId = config.externalIds[0];
  }

  /**
   * This side as a collector's destination (same account): its stream, failed-events stream,
   * region, writer role and first external ID, under the destination id `id`.
   */
  destination(id: string): DeployDestination {
    if (this.externalId === undefined)
      throw new Error('StreamSide: the same-account topology needs an external ID');
    return {
      id,
      roleArn: this.writerRole.roleArn,
      streamName: this.stream.streamName,
      ...(this.failedStream === undefined ? {} : { failedStreamName: this.failedStream.streamName }),
      region: this.stream.env.region,
      externalId: this.externalId,
    };
  }
}
