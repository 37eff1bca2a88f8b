import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { StreamWriterRole, type StreamWriterRoleProps } from '../../../lib/constructs/stream-writer-role';
import { onlyResource } from '../support/template-assertions';

function writerRole(
  externalIds: readonly string[],
  trustedPrincipalArns: readonly string[],
  more: Pick<StreamWriterRoleProps, 'maxTrustPolicyLength'> & {
    readonly key?: boolean;
    readonly failed?: boolean;
  } = {},
) {
  const stack = new Stack(new App(), 'Test');
  const { key, failed, ...props } = more;
  new StreamWriterRole(stack, 'Writer', {
    stream: new kinesis.Stream(stack, 'Stream'),
    ...(key ? { encryptionKey: new kms.Key(stack, 'Key') } : {}),
    ...(failed ? { failedStream: new kinesis.Stream(stack, 'Failed') } : {}),
    trustedAccountId: '111111111111',
    trustedPrincipalArns,
    externalIds,
    ...props,
  });
  return stack;
}
const roleOf = (stack: Stack) => onlyResource(Template.fromStack(stack), 'AWS::IAM::Role').Properties;

const uuids = (count: number) => Array.from({ length: count }, () => randomUUID());
const COLLECTOR_ROLE = 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/Prod/Collector-AbC123';

describe('StreamWriterRole', () => {
  it('names an exact collector role with ArnEquals and keeps the external ID and session name conditions', () => {
    const template = Template.fromStack(writerRole(['ext-1'], [COLLECTOR_ROLE]));

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: { 'sts:ExternalId': 'ext-1' },
              ArnEquals: { 'aws:PrincipalArn': COLLECTOR_ROLE },
              StringLike: { 'sts:RoleSessionName': 'kinesis-event-forwarder-*' },
            },
          }),
        ],
      },
    });
  });

  it('synthesizes 40 UUID external IDs, which fit the 2,048-character trust policy limit', () => {
    const stack = writerRole(uuids(40), [COLLECTOR_ROLE]);

    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  it('fails synth for 60 UUID external IDs with an error naming externalIds, the size and the limit', () => {
    const stack = writerRole(uuids(60), [COLLECTOR_ROLE]);

    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('^externalIds: '));
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.entry.data)).toMatch(
      /^externalIds: 60 external IDs make the writer role's trust policy \d{4} characters long; IAM accepts at most 2048 .* about 4\d IDs of this length fit/,
    );
  });

  it('refuses an empty list of trusted principals', () => {
    expect(() => writerRole(['ext-1'], [])).toThrow(/collectorRoleArn/);
  });

  it('refuses an empty list of external IDs, naming the context key', () => {
    expect(() => writerRole([], [COLLECTOR_ROLE])).toThrow(
      'StreamWriterRole: give at least one external ID (context key externalIds)',
    );
  });

  describe('by default', () => {
    const role = roleOf(writerRole(['ext-1'], [COLLECTOR_ROLE]));

    it('may put records on the one stream given and do nothing else, with sessions of at most an hour', () => {
      expect(role.MaxSessionDuration).toBe(3600);
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toEqual([
        {
          PolicyName: 'PutRecords',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'WriteEventsToThisStreamOnly',
                Effect: 'Allow',
                Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
                Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Stream/), 'Arn'] },
              },
            ],
          },
        },
      ]);
    });

    it('trusts the principals named with ArnLike when one of them is a pattern', () => {
      const patterned = roleOf(
        writerRole(['ext-1'], ['arn:aws:iam::111111111111:role/kinesis-event-forwarder/*']),
      );

      expect(patterned.AssumeRolePolicyDocument.Statement[0].Condition).toMatchObject({
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/kinesis-event-forwarder/*' },
      });
    });
  });

  describe('overridden', () => {
    it('may also put records on the failed-events stream given', () => {
      const role = roleOf(writerRole(['ext-1'], [COLLECTOR_ROLE], { failed: true }));

      expect(role.Policies[0].PolicyDocument.Statement[0].Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^Stream/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/^Failed/), 'Arn'] },
      ]);
    });

    it('may generate data keys with the stream key given, through Kinesis only, and nothing else with it', () => {
      const role = roleOf(writerRole(['ext-1'], [COLLECTOR_ROLE], { key: true }));

      expect(role.Policies[0].PolicyDocument.Statement[1]).toEqual({
        Sid: 'EncryptRecordsWithTheStreamKey',
        Effect: 'Allow',
        Action: 'kms:GenerateDataKey',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': {
              'Fn::Join': ['', ['kinesis.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
            },
          },
        },
      });
    });

    it('synthesizes 60 UUID external IDs when the account accepts trust policies of 4096 characters', () => {
      const stack = writerRole(uuids(60), [COLLECTOR_ROLE], { maxTrustPolicyLength: 4096 });

      Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    });
  });
});
