import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';
import {
  ARCHIVE_FIRST_YEAR,
  EventArchive,
  type EventArchiveProps,
  HOURLY_PARTITIONS,
} from '../../lib/constructs/event-archive';
import { streamTemplate } from '../support/synth-cache';
import { ARCHIVED_STREAM_CONTEXT } from './support/archive-context';
import {
  bareStack,
  type PolicyStatement,
  resourcesOf,
  type TemplateResource,
} from './support/template-assertions';

/** The stream stack alone (the data owner's account), archived with every default, alarms to a topic. */
const ARCHIVED: Record<string, string> = { ...ARCHIVED_STREAM_CONTEXT };
/** Archived with a customer-managed key, expiry, a Segment-format stream and no failed-events stream. */
const ARCHIVED_CUSTOM = {
  ...ARCHIVED,
  streamEncryption: 'CUSTOMER_MANAGED',
  archiveExpirationDays: '400',
  archiveBufferSeconds: '900',
  archiveBufferMb: '128',
  archiveRecordFormat: 'segment',
  failedEventsStream: 'false',
};

const partitioned = (folder: string) => `${folder}/${HOURLY_PARTITIONS}`;

/** The delivery stream reading the stream whose logical id starts with `streamPrefix`. */
function deliveryOf(template: Template, streamPrefix: string) {
  const found = Object.values(resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream')).filter(
    (resource) =>
      String(
        resource.Properties.KinesisStreamSourceConfiguration.KinesisStreamARN['Fn::GetAtt'][0],
      ).startsWith(streamPrefix),
  );
  if (found.length !== 1)
    throw new Error(`expected one delivery stream of ${streamPrefix}, found ${found.length}`);
  return (found[0] as TemplateResource).Properties;
}

/** Context lookups for `readDeployConfig`, as `bin/app.ts` passes them. */
const lookup = (context: Record<string, string>) => (key: string) => context[key];

function problemsOf(context: Record<string, string>): string[] {
  try {
    readDeployConfig(lookup(context));
    return [];
  } catch (error) {
    if (error instanceof InvalidDeployConfigError) return [...error.problems];
    throw error;
  }
}

describe('the archive (-c archive=true)', () => {
  it('keeps a versioned, encrypted, TLS-only, private and retained bucket that moves objects to Standard-IA after 30 days', () => {
    const template = streamTemplate(ARCHIVED);

    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
              NoncurrentVersionExpiration: { NoncurrentDays: 30 },
              ExpirationInDays: Match.absent(),
            }),
          ],
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('archives the event stream under events/ and the failed-events stream under failed/, as GZIP JSON lines with a newline appended to each record', () => {
    const template = streamTemplate(ARCHIVED);

    for (const [stream, folder] of [
      ['EventsStream', 'events'],
      ['FailedEventsStream', 'failed'],
    ] as const) {
      const delivery = deliveryOf(template, stream);
      expect(delivery.DeliveryStreamType).toBe('KinesisStreamAsSource');
      expect(delivery.ExtendedS3DestinationConfiguration).toMatchObject({
        Prefix: partitioned(folder),
        ErrorOutputPrefix: `errors/${folder}/!{firehose:error-output-type}/${HOURLY_PARTITIONS}`,
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
        CloudWatchLoggingOptions: { Enabled: true },
      });
    }
    expect(partitioned('events')).toBe(
      'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
    );
  });

  it('describes events/ and failed/ in a Glue database with JSON SerDe tables whose hourly partitions are projected', () => {
    const template = streamTemplate(ARCHIVED);

    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'kinesiseventforwarder_stream_archive' },
    });
    for (const [table, folder] of [
      ['events', 'events'],
      ['failed_events', 'failed'],
    ]) {
      template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: 'kinesiseventforwarder_stream_archive',
        TableInput: {
          Name: table,
          TableType: 'EXTERNAL_TABLE',
          PartitionKeys: ['year', 'month', 'day', 'hour'].map((name) => ({ Name: name, Type: 'string' })),
          Parameters: Match.objectLike({
            'projection.enabled': 'true',
            'projection.year.range': `${ARCHIVE_FIRST_YEAR},2099`,
            'projection.month.digits': '2',
            'projection.day.digits': '2',
            'projection.hour.range': '0,23',
            'projection.hour.digits': '2',
            'storage.location.template': {
              'Fn::Join': [
                '',
                [
                  's3://',
                  { Ref: Match.stringLikeRegexp('^ArchiveBucket') },
                  `/${folder}/year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
                ],
              ],
            },
          }),
          StorageDescriptor: Match.objectLike({
            SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          }),
        },
      });
    }
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it('alarms on freshness and failed deliveries of each delivery stream, and shows freshness on a dashboard of its own', () => {
    const template = streamTemplate(ARCHIVED);

    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );
    const archiveAlarms = alarms.filter((alarm) => alarm.Namespace === 'AWS/Firehose');
    expect(
      archiveAlarms.map((alarm) => [alarm.MetricName, alarm.ComparisonOperator, alarm.Threshold]),
    ).toEqual([
      ['DeliveryToS3.DataFreshness', 'GreaterThanThreshold', 900],
      ['DeliveryToS3.Success', 'LessThanThreshold', 1],
      ['DeliveryToS3.DataFreshness', 'GreaterThanThreshold', 900],
      ['DeliveryToS3.Success', 'LessThanThreshold', 1],
    ]);
    for (const alarm of archiveAlarms) {
      expect(alarm.AlarmDescription).toMatch(
        /Runbook: docs\/operations\.md#alarm-archive-(freshness|delivery-failures)$/,
      );
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
    const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(JSON.stringify(dashboard?.Properties.DashboardBody)).toContain('DeliveryToS3.DataFreshness');
  });

  it('puts the archive alarms on the alarm topic of the stream stack', () => {
    const template = streamTemplate(ARCHIVED);

    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties)
      .filter((alarm) => alarm.Namespace === 'AWS/Firehose');
    expect(alarms).toHaveLength(4);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
      expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    }
  });

  it('outputs the bucket and the Glue database', () => {
    const template = streamTemplate(ARCHIVED);

    template.hasOutput('ArchiveBucketName', { Value: { Ref: Match.stringLikeRegexp('^ArchiveBucket') } });
    template.hasOutput('ArchiveDatabaseName', { Value: 'kinesiseventforwarder_stream_archive' });
  });

  it("encrypts the bucket with the streams' customer-managed key, expires objects, and archives a Segment-format stream under segment/ without a table", () => {
    const template = streamTemplate(ARCHIVED_CUSTOM);

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsKey'), 'Arn'] },
            },
          },
        ],
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            ExpirationInDays: 400,
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    expect(deliveryOf(template, 'EventsStream').ExtendedS3DestinationConfiguration).toMatchObject({
      Prefix: partitioned('segment'),
      BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 128 },
      EncryptionConfiguration: {
        KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [expect.stringMatching(/^EventsKey/), 'Arn'] } },
      },
    });
    template.resourceCountIs('AWS::Glue::Table', 0);
    template.resourceCountIs('AWS::Glue::Database', 1);
  });

  it("lets the Firehose role use the key only through Kinesis (reading) and through S3 for the archive bucket's key context (writing)", () => {
    const template = streamTemplate(ARCHIVED_CUSTOM);

    const [role] = Object.values(resourcesOf(template, 'AWS::IAM::Role')).filter((resource) =>
      JSON.stringify(resource.Properties.AssumeRolePolicyDocument).includes('firehose.amazonaws.com'),
    );
    const statements = role?.Properties.Policies[0].PolicyDocument.Statement as PolicyStatement[];
    const kmsStatements = statements.filter((statement) => String(statement.Action).includes('kms:'));
    const key = { 'Fn::GetAtt': [expect.stringMatching(/^EventsKey/), 'Arn'] };
    const region = (service: string) => ({
      'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']],
    });

    expect(kmsStatements).toEqual([
      {
        Sid: 'DecryptStreamsThroughKinesis',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: key,
        Condition: { StringEquals: { 'kms:ViaService': region('kinesis') } },
      },
      {
        Sid: 'EncryptObjectsThroughS3',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: key,
        Condition: {
          StringEquals: {
            'kms:ViaService': region('s3'),
            'kms:EncryptionContext:aws:s3:arn': {
              'Fn::GetAtt': [expect.stringMatching(/^ArchiveBucket/), 'Arn'],
            },
          },
        },
      },
    ]);
  });

  it('creates no bucket, delivery stream, Glue database, table or archive alarm without archive=true', () => {
    const template = streamTemplate({ externalIds: 'ext-one' });

    for (const type of [
      'AWS::S3::Bucket',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::CloudWatch::Dashboard',
    ]) {
      template.resourceCountIs(type, 0);
    }
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    expect(alarms.filter((alarm) => alarm.Properties.Namespace === 'AWS/Firehose')).toEqual([]);
  });
});

describe('EventArchive on its own', () => {
  it('refuses a transition before 30 days, a buffer over 900 s and a database name Glue would refuse, naming the prop', () => {
    const stack = bareStack();
    const stream = new kinesis.Stream(stack, 'Stream');
    const archive = (id: string, props: Partial<EventArchiveProps>) => () =>
      new EventArchive(stack, id, { stream, ...props });

    expect(archive('A', { transitionAfter: Duration.days(7) })).toThrow(
      'EventArchive: transitionAfter must be a whole number of days from 30 to 36500, got 7',
    );
    expect(archive('B', { bufferInterval: Duration.minutes(20) })).toThrow(
      'EventArchive: bufferInterval must be a whole number of seconds from 0 to 900, got 1200',
    );
    expect(archive('C', { databaseName: 'Events-Archive' })).toThrow(
      'EventArchive: databaseName "Events-Archive" may hold only lower case letters, digits and _',
    );
  });
});

describe('the archive context keys', () => {
  it('reads the archive settings of the stream stack, with their defaults', () => {
    const config = readDeployConfig(lookup({ ...ARCHIVED, archiveExpirationDays: '365' }));

    expect(config.stream?.archive).toEqual({
      transitionDays: 30,
      expirationDays: 365,
      bufferSeconds: 300,
      bufferMb: 64,
      recordFormat: 'envelope',
    });
    expect(readDeployConfig(lookup({ externalIds: 'ext-one' })).stream?.archive).toBeUndefined();
  });

  it('refuses archive settings without archive=true, naming the key and the fix', () => {
    expect(problemsOf({ externalIds: 'ext-one', archiveExpirationDays: '90' })).toEqual([
      'archiveExpirationDays: only used with archive=true; add -c archive=true or remove it',
    ]);
  });

  it('refuses the archive in a deploy of the collector alone: the archive belongs to the stream owner', () => {
    expect(
      problemsOf({
        writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
        streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
        externalId: 'ext-one',
        archive: 'true',
      }),
    ).toEqual([
      "archive: only used by the stream stack (the archive belongs in the stream's account); set it when you deploy the stream stack",
    ]);
  });

  it('refuses a transition before 30 days, a buffer beyond Firehose limits, and an expiry that makes Standard-IA cost more', () => {
    const problems = problemsOf({
      ...ARCHIVED,
      archiveTransitionDays: '7',
      archiveBufferSeconds: '3600',
      archiveBufferMb: '0',
      archiveRecordFormat: 'parquet',
    });
    const expiringEarly = problemsOf({
      ...ARCHIVED,
      archiveTransitionDays: '60',
      archiveExpirationDays: '75',
    });

    expect(problems).toEqual([
      'archiveTransitionDays: "7" is not valid; use a whole number from 30 to 36500 days (S3 moves nothing to Standard-IA before 30 days)',
      'archiveBufferSeconds: "3600" is not valid; use a whole number from 0 to 900 seconds',
      'archiveBufferMb: "0" is not valid; use a whole number from 1 to 128 MiB',
      'archiveRecordFormat: "parquet" is not valid; use one of envelope, segment',
    ]);
    expect(expiringEarly).toEqual([
      'archiveExpirationDays: 75 days is less than 30 days after archiveTransitionDays (60): Standard-IA bills 30 days at least, so the transition would cost more than it saves; remove archiveTransitionDays or expire later',
    ]);
  });
});
