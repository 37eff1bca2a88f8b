import { randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { StreamWriterRole } from '../../../lib/constructs/stream-writer-role';

function writerRole(externalIds: readonly string[], trustedPrincipalArns: readonly string[]) {
  const stack = new Stack(new App(), 'Test');
  new StreamWriterRole(stack, 'Writer', {
    stream: new kinesis.Stream(stack, 'Stream'),
    trustedAccountId: '111111111111',
    trustedPrincipalArns,
    externalIds,
  });
  return stack;
}

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
});
