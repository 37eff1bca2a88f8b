import { Template } from 'aws-cdk-lib/assertions';
import { topologyTemplates } from '../support/synth-cache';
import { policyDocumentCount, wildcardGrants } from './support/wildcard-grants';

const CROSS_ACCOUNT = {
  writerRoleArn: 'arn:aws:iam::222222222222:role/event-writer',
  streamArn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/events',
  externalId: 'source-a-1f3e',
};

/** A template with one role whose inline policy holds `statement`, as CloudFormation JSON. */
function templateWith(statement: Record<string, unknown>): Template {
  return Template.fromJSON({
    Resources: {
      Probe: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Statement: [] },
          Policies: [
            { PolicyName: 'Probe', PolicyDocument: { Statement: [{ Effect: 'Allow', ...statement }] } },
          ],
        },
      },
    },
  });
}

describe('no wildcard grants: the check itself', () => {
  it('finds a wildcard action inside a list of actions', () => {
    // Act
    const found = wildcardGrants(
      templateWith({
        Action: ['kinesis:PutRecords', 'kinesis:*'],
        Resource: 'arn:aws:kinesis:::stream/s',
      }),
    );

    // Assess
    expect(found).toEqual([expect.objectContaining({ field: 'Action', value: 'kinesis:*' })]);
  });

  it('finds a wildcard action written as a string, a resource "*" in a list, and NotAction', () => {
    // Act
    const single = wildcardGrants(templateWith({ Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' }));
    const resource = wildcardGrants(templateWith({ Action: 'sqs:SendMessage', Resource: ['arn:q', '*'] }));
    const notAction = wildcardGrants(templateWith({ NotAction: ['iam:*'], Resource: 'arn:x' }));

    // Assess
    expect(single.map((grant) => grant.value)).toEqual(['s3:Get*']);
    expect(resource.map((grant) => [grant.field, grant.value])).toEqual([['Resource', '*']]);
    expect(notAction.map((grant) => grant.field)).toEqual(['NotAction']);
  });
});

describe.each([
  ['same account (stream and collector stacks)', { externalIds: 'ext-one,ext-two' }],
  [
    'same account with a customer-managed key and alarms by email',
    {
      externalIds: 'ext-one',
      streamEncryption: 'CUSTOMER_MANAGED',
      alarmEmail: 'ops@example.com',
    },
  ],
  ['cross-account collector', CROSS_ACCOUNT],
])('no wildcard action or resource for any role, %s', (_, context) => {
  const { stream, collector } = topologyTemplates(context as Record<string, string>);
  const stacks = [stream, collector].filter((stack) => stack !== undefined);

  it.each(stacks.map((stack) => [stack.stackName, stack] as const))('%s grants none', (_name, stack) => {
    // Act
    const template = stack.template;

    // Assess
    expect(policyDocumentCount(template)).toBeGreaterThan(0);
    expect(wildcardGrants(template)).toEqual([]);
  });
});
