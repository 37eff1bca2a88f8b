import { Match } from 'aws-cdk-lib/assertions';
import { streamTemplate } from '../support/synth-cache';
import { logicalIdStartingWith, resourcesOf } from './support/template-assertions';

describe('StreamStack', () => {
  it('creates an on-demand stream encrypted with aws/kinesis and 24 hours retention by default', () => {
    const template = streamTemplate({ externalIds: 'ext-one' });

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      ShardCount: Match.absent(),
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('creates a provisioned stream with the requested shards, retention and a rotated customer-managed key', () => {
    const template = streamTemplate({
      externalIds: 'ext-one',
      streamMode: 'PROVISIONED',
      shardCount: '3',
      retentionHours: '168',
      streamEncryption: 'CUSTOMER_MANAGED',
    });

    template.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 3,
      RetentionPeriodHours: 168,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it("trusts only its own collector deployment's roles in its own account, with the one external ID written as a string", () => {
    const template = streamTemplate({ externalIds: 'ext-one' });

    template.hasResourceProperties('AWS::IAM::Role', {
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                ],
              },
            },
            Condition: {
              StringEquals: { 'sts:ExternalId': 'ext-one' },
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/kinesis-event-forwarder/KinesisEventForwarder/*',
                    ],
                  ],
                },
              },
              StringLike: { 'sts:RoleSessionName': 'kinesis-event-forwarder-*' },
            },
          },
        ],
      },
    });
  });

  it('trusts the collector roles of the collector account with several external IDs, written as a list', () => {
    const template = streamTemplate({ collectorAccountId: '111111111111', externalIds: 'ext-one,ext-two' });

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
            },
            Condition: {
              StringEquals: { 'sts:ExternalId': ['ext-one', 'ext-two'] },
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:role/kinesis-event-forwarder/*'],
                  ],
                },
              },
              StringLike: { 'sts:RoleSessionName': 'kinesis-event-forwarder-*' },
            },
          },
        ],
      },
    });
  });

  it('lets the writer role put records on exactly this stream and its failed-events stream, nothing else', () => {
    const template = streamTemplate({ externalIds: 'ext-one' });
    const streamArn = [
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStream'), 'Arn'] },
      { 'Fn::GetAtt': [Match.stringLikeRegexp('^FailedEventsStream'), 'Arn'] },
    ];

    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'PutRecords',
          PolicyDocument: {
            Statement: [
              {
                Sid: 'WriteEventsToThisStreamOnly',
                Effect: 'Allow',
                Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
                Resource: streamArn,
              },
            ],
          },
        },
      ],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it("creates the failed-events stream with the event stream's mode, retention and encryption, and its name as an output", () => {
    const template = streamTemplate({
      externalIds: 'ext-one',
      retentionHours: '48',
      streamEncryption: 'CUSTOMER_MANAGED',
    });
    const streams = resourcesOf(template, 'AWS::Kinesis::Stream');
    const [events, failed] = ['EventsStream', 'FailedEventsStream'].map(
      (prefix) => streams[logicalIdStartingWith(template, 'AWS::Kinesis::Stream', prefix)]?.Properties,
    );
    expect(failed).toEqual(events);
    expect(failed).toMatchObject({ RetentionPeriodHours: 48, StreamEncryption: { EncryptionType: 'KMS' } });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasOutput('FailedStreamName', { Value: { Ref: Match.stringLikeRegexp('^FailedEventsStream') } });
  });

  it('creates no failed-events stream with failedEventsStream=false, and the role writes to the event stream only', () => {
    const template = streamTemplate({ externalIds: 'ext-one', failedEventsStream: 'false' });

    template.resourceCountIs('AWS::Kinesis::Stream', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'PutRecords',
          PolicyDocument: {
            Statement: [{ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStream'), 'Arn'] } }],
          },
        },
      ],
    });
  });

  it('adds kms:GenerateDataKey on the stream key, and only that, when the key is customer-managed', () => {
    const template = streamTemplate({ externalIds: 'ext-one', streamEncryption: 'CUSTOMER_MANAGED' });

    template.hasResourceProperties('AWS::IAM::Role', {
      Policies: [
        {
          PolicyName: 'PutRecords',
          PolicyDocument: {
            Statement: [
              Match.objectLike({ Action: ['kinesis:PutRecord', 'kinesis:PutRecords'] }),
              {
                Sid: 'EncryptRecordsWithTheStreamKey',
                Effect: 'Allow',
                Action: 'kms:GenerateDataKey',
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsKey'), 'Arn'] },
              },
            ],
          },
        },
      ],
    });
  });

  it('outputs the stream name and ARN and the writer role ARN', () => {
    const template = streamTemplate({ externalIds: 'ext-one' });

    template.hasOutput('StreamName', { Value: { Ref: Match.stringLikeRegexp('^EventsStream') } });
    template.hasOutput('StreamArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsStream'), 'Arn'] },
    });
    template.hasOutput('WriterRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WriterRole'), 'Arn'] },
    });
  });
});
