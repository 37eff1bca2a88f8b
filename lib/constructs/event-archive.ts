import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVENT_ARCHIVE_DEFAULTS } from '../config/construct-defaults';
import { alarmDescription, RUNBOOK_ANCHORS } from './alarm-runbook';
import { type ArchiveColumn, ENVELOPE_COLUMNS, FAILURE_RECORD_COLUMNS } from './archive-table-columns';

/**
 * What the archived event stream holds: envelopes (the collector's default `recordFormat`), or
 * Segment messages as received (a destination with `recordFormat: segment`).
 */
export type ArchiveRecordFormat = 'envelope' | 'segment';

/** The top-level folder of each kind of record in the archive bucket (docs/archive.md). */
export const ARCHIVE_PREFIXES = {
  /** Envelopes of the event stream; the `events` table. */
  envelope: 'events',
  /** Segment messages of an event stream written with `recordFormat: segment`; no table. */
  segment: 'segment',
  /** Failure records of the failed-events stream; the `failed_events` table. */
  failed: 'failed',
  /** What Firehose could not deliver or process, by kind: `errors/<folder>/<error type>/...`. */
  errors: 'errors',
} as const;

/** The Hive-style hourly partition path Firehose writes under each folder (UTC arrival time). */
export const HOURLY_PARTITIONS =
  'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

/** The first year the tables' partition projection knows (fixed, so a synth gives the same template any year). */
export const ARCHIVE_FIRST_YEAR = 2025;

/** The least days an object stays in S3 Standard-IA before it may move on or expire without a charge. */
export const STANDARD_IA_MINIMUM_DAYS = 30;

export interface EventArchiveProps {
  /** The event stream to archive. */
  readonly stream: kinesis.IStream;
  /**
   * The failed-events stream, archived under `failed/` by a delivery stream of its own.
   * @default - none: only the event stream is archived
   */
  readonly failedStream?: kinesis.IStream;
  /**
   * The streams' customer-managed key: Firehose decrypts the streams with it (through Kinesis only),
   * and the bucket is encrypted with it too (SSE-KMS with an S3 Bucket Key), so one key policy and
   * one CloudTrail trail cover the events wherever they are, and disabling the key shreds both.
   * @default - the streams use aws/kinesis; the bucket uses S3-managed keys (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What the event stream holds: envelopes go under `events/` with the `events` table; Segment
   * messages go under `segment/`, untabled (docs/archive.md).
   * @default 'envelope'
   */
  readonly recordFormat?: ArchiveRecordFormat;
  /**
   * Move objects to S3 Standard-IA this long after they are written: at least 30 days (S3 moves
   * nothing to Standard-IA sooner). Skipped when `expiration` comes less than 30 days after it
   * (Standard-IA bills 30 days at least).
   * @default - `EVENT_ARCHIVE_DEFAULTS.transitionDays` (30 days)
   */
  readonly transitionAfter?: Duration;
  /**
   * Delete objects this long after they are written (the current version; the noncurrent version
   * then expires after `noncurrentVersionExpiration`).
   * @default - never: the archive keeps every event
   */
  readonly expiration?: Duration;
  /**
   * Delete a version this long after it stopped being current (overwritten or deleted).
   * @default - `EVENT_ARCHIVE_DEFAULTS.noncurrentVersionDays` (30 days)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Firehose writes an object when it has buffered this long (0 to 900 s) ...
   * @default - `EVENT_ARCHIVE_DEFAULTS.bufferSeconds` (300 s)
   */
  readonly bufferInterval?: Duration;
  /**
   * ... or this many MiB before compression (1 to 128), whichever comes first.
   * @default - `EVENT_ARCHIVE_DEFAULTS.bufferMb` (64 MiB)
   */
  readonly bufferSizeMb?: number;
  /**
   * Told of every change to ALARM and back to OK of the archive's alarms.
   * @default - no action: the alarms change state in CloudWatch only
   */
  readonly action?: cloudwatch.IAlarmAction;
  /**
   * The Glue database of the archive's tables (lower case letters, digits, `_`).
   * @default - the stack name in lower case with `_archive` appended, e.g. `kinesiseventforwarder_stream_archive`
   */
  readonly databaseName?: string;
}

/** One source stream and where its delivery stream writes. */
interface ArchivedStream {
  readonly id: string;
  readonly stream: kinesis.IStream;
  readonly folder: string;
  readonly label: string;
}

/**
 * The archive of the event stream (and the failed-events stream): Amazon Data Firehose reads each
 * stream and writes GZIP JSON lines under `<folder>/year=YYYY/month=MM/day=DD/hour=HH/` of a bucket
 * made here (versioned, encrypted, TLS only, no public access, retained when the stack goes), with
 * a Glue database and tables that Athena queries without a crawler (partition projection). Its
 * alarms say when delivery fails or falls behind; its dashboard shows freshness. docs/archive.md
 * explains the layout, costs and erasure.
 *
 * Firehose de-aggregates KPL-aggregated records of a Kinesis source before delivery (AWS: "Use the
 * KPL with Amazon Data Firehose"), so `aggregate: true` destinations archive one line per event.
 * Records carry no trailing newline: the `AppendDelimiterToRecord` processor adds one.
 */
export class EventArchive extends Construct {
  readonly bucket: s3.Bucket;
  /** Assumed by Firehose: reads exactly the archived streams, writes only their prefixes. */
  readonly deliveryRole: iam.Role;
  /** One per archived stream: the event stream's first, then the failed-events stream's. */
  readonly deliveryStreams: firehose.CfnDeliveryStream[] = [];
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: EventArchiveProps) {
    super(scope, id);
    const transitionDays = days(props.transitionAfter, EVENT_ARCHIVE_DEFAULTS.transitionDays);
    const expirationDays = props.expiration?.toDays();
    const bufferSeconds = props.bufferInterval?.toSeconds() ?? EVENT_ARCHIVE_DEFAULTS.bufferSeconds;
    const bufferMb = props.bufferSizeMb ?? EVENT_ARCHIVE_DEFAULTS.bufferMb;
    checkWhole('transitionAfter', transitionDays, STANDARD_IA_MINIMUM_DAYS, 36_500, 'days');
    if (expirationDays !== undefined) checkWhole('expiration', expirationDays, 1, 36_500, 'days');
    checkWhole('bufferInterval', bufferSeconds, 0, 900, 'seconds');
    checkWhole('bufferSizeMb', bufferMb, 1, 128, 'MiB');
    const databaseName =
      props.databaseName ??
      `${Stack.of(this)
        .stackName.toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')}_archive`;
    if (!/^[a-z0-9_]{1,255}$/.test(databaseName)) {
      throw new Error(
        `EventArchive: databaseName "${databaseName}" may hold only lower case letters, digits and _`,
      );
    }
    this.databaseName = databaseName;
    const key = props.encryptionKey;
    const recordFormat = props.recordFormat ?? 'envelope';

    const archived: ArchivedStream[] = [
      { id: 'Events', stream: props.stream, folder: ARCHIVE_PREFIXES[recordFormat], label: 'event stream' },
      ...(props.failedStream === undefined
        ? []
        : [
            {
              id: 'FailedEvents',
              stream: props.failedStream,
              folder: ARCHIVE_PREFIXES.failed,
              label: 'failed-events stream',
            },
          ]),
    ];

    const transitions =
      expirationDays === undefined || expirationDays >= transitionDays + STANDARD_IA_MINIMUM_DAYS
        ? [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(transitionDays),
            },
          ]
        : [];
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(key === undefined
        ? { encryption: s3.BucketEncryption.S3_MANAGED }
        : { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }),
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'archive-retention',
          transitions,
          ...(expirationDays === undefined ? {} : { expiration: Duration.days(expirationDays) }),
          noncurrentVersionExpiration: Duration.days(
            days(props.noncurrentVersionExpiration, EVENT_ARCHIVE_DEFAULTS.noncurrentVersionDays),
          ),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs would need a second bucket (itself unlogged) and record every Firehose PUT; only the Firehose role writes here and reads are the owner\'s analysts: CloudTrail S3 data events on this bucket are the audit trail to turn on when reads must be audited (docs/archive.md, "Retention and lifecycle").',
    });

    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const bucketArn = this.bucket.bucketArn;
    const folders = archived.map(({ folder }) => folder);
    const objectArns = [
      ...folders.map((folder) => `${bucketArn}/${folder}/*`),
      ...folders.map((folder) => `${bucketArn}/${ARCHIVE_PREFIXES.errors}/${folder}/*`),
    ];
    const statements = [
      new iam.PolicyStatement({
        sid: 'ReadArchivedStreams',
        actions: [
          'kinesis:DescribeStream',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
          'kinesis:ListShards',
        ],
        resources: archived.map(({ stream }) => stream.streamArn),
      }),
      new iam.PolicyStatement({
        sid: 'FindArchiveBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnPrefixes',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
        resources: objectArns,
      }),
      new iam.PolicyStatement({
        sid: 'WriteDeliveryLogs',
        actions: ['logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      ...(key === undefined
        ? []
        : [
            new iam.PolicyStatement({
              sid: 'DecryptStreamsThroughKinesis',
              actions: ['kms:Decrypt'],
              resources: [key.keyArn],
              conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Aws.REGION}.amazonaws.com` } },
            }),
            new iam.PolicyStatement({
              sid: 'EncryptObjectsThroughS3',
              actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
              resources: [key.keyArn],
              conditions: {
                StringEquals: {
                  'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com`,
                  // With an S3 Bucket Key, S3 asks KMS for the bucket's key, in the bucket's context.
                  'kms:EncryptionContext:aws:s3:arn': bucketArn,
                },
              },
            }),
          ]),
    ];
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      description: 'Assumed by Firehose: reads the archived streams, writes their archive prefixes',
      // Firehose passes the account's id as the external ID (AWS: "Controlling access with Firehose").
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: { Archive: new iam.PolicyDocument({ statements }) },
    });
    // cdk-nag reports each object ARN pattern on its own, named by the bucket's logical id.
    const bucketId = Stack.of(this).resolve(
      Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket),
    ) as string;
    for (const objects of objectArns) {
      const pattern = objects.replace(bucketArn, `<${bucketId}.Arn>`);
      Validations.of(this.deliveryRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${pattern}]`,
        reason:
          "Objects under one of the archive's own prefixes: Firehose names each object itself (hourly partition folder, time and a random suffix), so no narrower ARN exists.",
      });
    }

    for (const source of archived) {
      const logStream = new logs.LogStream(this, `${source.id}DeliveryLog`, {
        logGroup,
        logStreamName: `DestinationDelivery-${source.folder}`,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const delivery = new firehose.CfnDeliveryStream(this, `${source.id}Delivery`, {
        deliveryStreamType: 'KinesisStreamAsSource',
        kinesisStreamSourceConfiguration: {
          kinesisStreamArn: source.stream.streamArn,
          roleArn: this.deliveryRole.roleArn,
        },
        extendedS3DestinationConfiguration: {
          bucketArn,
          roleArn: this.deliveryRole.roleArn,
          prefix: `${source.folder}/${HOURLY_PARTITIONS}`,
          errorOutputPrefix: `${ARCHIVE_PREFIXES.errors}/${source.folder}/!{firehose:error-output-type}/${HOURLY_PARTITIONS}`,
          compressionFormat: 'GZIP',
          bufferingHints: { intervalInSeconds: bufferSeconds, sizeInMBs: bufferMb },
          processingConfiguration: {
            enabled: true,
            processors: [{ type: 'AppendDelimiterToRecord' }],
          },
          cloudWatchLoggingOptions: {
            enabled: true,
            logGroupName: logGroup.logGroupName,
            logStreamName: logStream.logStreamName,
          },
          ...(key === undefined
            ? {}
            : { encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } } }),
        },
      });
      // Firehose checks its access when the delivery stream is created: the policy must exist first.
      delivery.node.addDependency(this.deliveryRole);
      Validations.of(delivery).acknowledge({
        id: 'AwsSolutions-KDF1',
        reason:
          'Firehose offers no server-side encryption of its own buffer for a Kinesis data stream source: the source stream is encrypted (aws/kinesis or the customer-managed key) and so is every object written (SSE-S3 or the same key).',
      });
      this.deliveryStreams.push(delivery);
      this.alarms.push(...this.deliveryAlarms(source, delivery, bufferSeconds));
    }

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: databaseName,
        description: 'kinesis-event-forwarder archive: tables over the archive bucket (docs/archive.md)',
      },
    });
    if (recordFormat === 'envelope')
      this.addTable('EventsTable', 'events', ARCHIVE_PREFIXES.envelope, ENVELOPE_COLUMNS);
    if (props.failedStream !== undefined) {
      this.addTable('FailedEventsTable', 'failed_events', ARCHIVE_PREFIXES.failed, FAILURE_RECORD_COLUMNS);
    }

    if (props.action !== undefined) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(props.action);
        alarm.addOkAction(props.action);
      }
    }
    this.dashboard = this.addDashboard(archived);
  }

  /** The Firehose metric of a delivery stream. */
  private metric(delivery: firehose.CfnDeliveryStream, metricName: string, statistic: string) {
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName,
      dimensionsMap: { DeliveryStreamName: delivery.ref },
      statistic,
      period: Duration.minutes(5),
    });
  }

  /** Freshness and delivery failures of one delivery stream. */
  private deliveryAlarms(
    source: ArchivedStream,
    delivery: firehose.CfnDeliveryStream,
    bufferSeconds: number,
  ): cloudwatch.Alarm[] {
    // A healthy stream's oldest undelivered record is at most one buffer interval old, plus the write.
    const freshnessSeconds = bufferSeconds + 600;
    const freshness = this.metric(delivery, 'DeliveryToS3.DataFreshness', 'Maximum').createAlarm(
      this,
      `${source.id}ArchiveFreshness`,
      {
        alarmDescription: alarmDescription(
          `The oldest record of the ${source.label} that Firehose has not yet written to the archive bucket is more than ${freshnessSeconds} s old (DeliveryToS3.DataFreshness, maximum) in two 5-minute periods: delivery to S3 is failing or falling behind, and Firehose retries for 24 hours before it writes the records under errors/.`,
          RUNBOOK_ANCHORS.archiveFreshness,
        ),
        threshold: freshnessSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // Firehose publishes nothing while the stream is idle: nothing to deliver, nothing late.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const failures = this.metric(delivery, 'DeliveryToS3.Success', 'Average').createAlarm(
      this,
      `${source.id}ArchiveDeliveryFailures`,
      {
        alarmDescription: alarmDescription(
          `Firehose failed some of its writes of the ${source.label} to the archive bucket (DeliveryToS3.Success, average < 1) in each of three 5-minute periods: a broken role, bucket policy or key policy, or a deleted bucket; records wait in the stream while Firehose retries.`,
          RUNBOOK_ANCHORS.archiveDeliveryFailures,
        ),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // Published only when Firehose writes: no writes, no failures.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    return [freshness, failures];
  }

  /** A JSON-lines table over one folder, its hourly partitions projected (no crawler, no MSCK). */
  private addTable(id: string, name: string, folder: string, columns: readonly ArchiveColumn[]): void {
    const location = `s3://${this.bucket.bucketName}/${folder}/`;
    const table = new glue.CfnTable(this, id, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name,
        description: `The archive's ${folder}/ folder: GZIP JSON lines, partitioned by the UTC hour Firehose received them`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.year.type': 'integer',
          'projection.year.range': `${ARCHIVE_FIRST_YEAR},2099`,
          'projection.month.type': 'integer',
          'projection.month.range': '1,12',
          'projection.month.digits': '2',
          'projection.day.type': 'integer',
          'projection.day.range': '1,31',
          'projection.day.digits': '2',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': `${location}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
        },
        partitionKeys: ['year', 'month', 'day', 'hour'].map((partition) => ({
          name: partition,
          type: 'string',
        })),
        storageDescriptor: {
          location,
          columns: columns.map(({ name: column, type, comment }) => ({ name: column, type, comment })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'true' },
          },
        },
      },
    });
    table.node.addDependency(this.database);
  }

  /** The archive's dashboard: the alarms, then each delivery stream's freshness and throughput. */
  private addDashboard(archived: readonly ArchivedStream[]): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Archive alarms',
        alarms: this.alarms,
        width: 24,
        height: 3,
      }),
    );
    archived.forEach((source, index) => {
      const delivery = this.deliveryStreams[index];
      if (delivery === undefined) return;
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `Archive freshness, ${source.label} (s)`,
          left: [this.metric(delivery, 'DeliveryToS3.DataFreshness', 'Maximum')],
          width: 8,
          height: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `Archive delivery success, ${source.label}`,
          left: [this.metric(delivery, 'DeliveryToS3.Success', 'Average')],
          leftYAxis: { min: 0, max: 1 },
          width: 8,
          height: 6,
        }),
        new cloudwatch.GraphWidget({
          title: `Archived records and bytes, ${source.label}`,
          left: [this.metric(delivery, 'DeliveryToS3.Records', 'Sum')],
          right: [this.metric(delivery, 'DeliveryToS3.Bytes', 'Sum')],
          width: 8,
          height: 6,
        }),
      );
    });
    return dashboard;
  }
}

/** Whole days of a duration, or the default. */
function days(duration: Duration | undefined, fallback: number): number {
  return duration === undefined ? fallback : duration.toDays();
}

function checkWhole(prop: string, value: number, min: number, max: number, unit: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `EventArchive: ${prop} must be a whole number of ${unit} from ${min} to ${max}, got ${value}`,
    );
  }
}
