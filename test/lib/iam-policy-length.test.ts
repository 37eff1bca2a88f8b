import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import { StreamWriterRole } from '../../lib/constructs/stream-writer-role';
import { iamPolicyLength } from '../../lib/iam-policy-length';

/** The length IAM counts for `value` once deployed: its JSON. */
const deployed = (value: unknown) => JSON.stringify(value).length;

const partition = { Ref: 'AWS::Partition' };
const account = { Ref: 'AWS::AccountId' };
const roleArn = { 'Fn::GetAtt': ['CollectorRole1A2B3C4D', 'Arn'] };

describe('iamPolicyLength: the trust policy length with unresolved tokens at their worst case', () => {
  it('counts a literal document as its JSON without white space', () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] };

    expect(iamPolicyLength(document)).toBe(deployed(document));
  });

  it('counts a Ref to a pseudo parameter as its longest deployable value', () => {
    expect(iamPolicyLength(partition)).toBe(deployed('aws-us-gov'));
    expect(iamPolicyLength(account)).toBe(deployed('123456789012'));
    expect(iamPolicyLength({ Ref: 'AWS::Region' })).toBe(deployed('ap-southeast-12'));
    expect(iamPolicyLength({ Ref: 'AWS::URLSuffix' })).toBe(deployed('amazonaws.com.cn'));
  });

  it('counts a Ref to a resource or parameter, Fn::GetAtt and any other function as 128 characters', () => {
    const unknown = deployed('x'.repeat(128));

    expect(iamPolicyLength({ Ref: 'CollectorRoleName' })).toBe(unknown);
    expect(iamPolicyLength(roleArn)).toBe(unknown);
    expect(iamPolicyLength({ 'Fn::ImportValue': 'CollectorRoleArn' })).toBe(unknown);
  });

  it('counts Fn::Join as the worst case of each part, joined by the separator', () => {
    const arn = { 'Fn::Join': ['', ['arn:', partition, ':iam::', account, ':root']] };

    expect(iamPolicyLength({ AWS: arn })).toBe(deployed({ AWS: 'arn:aws-us-gov:iam::123456789012:root' }));
    expect(iamPolicyLength({ 'Fn::Join': ['/', [roleArn, 'x']] })).toBe(deployed(`${'x'.repeat(128)}/x`));
  });

  it('is never shorter than the document deployed in any partition with a role name of 64 characters', () => {
    const document = {
      Principal: { AWS: { 'Fn::Join': ['', ['arn:', partition, ':iam::', account, ':root']] } },
      Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn } },
    };

    for (const name of ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso-b']) {
      const real = {
        Principal: { AWS: `arn:${name}:iam::123456789012:root` },
        Condition: {
          ArnEquals: { 'aws:PrincipalArn': `arn:${name}:iam::123456789012:role/${'r'.repeat(64)}` },
        },
      };
      expect(iamPolicyLength(document)).toBeGreaterThanOrEqual(deployed(real));
    }
  });
});

describe('StreamWriterRole with an unresolved collector role ARN', () => {
  /** A writer role trusting a collector role of the same app (its ARN a GetAtt token), with `maxLength`. */
  function writerRole(maxLength?: number) {
    const stack = new Stack(new App(), 'Tokens');
    const collector = new iam.Role(stack, 'CollectorRole', { assumedBy: new iam.ServicePrincipal('lambda') });
    const writer = new StreamWriterRole(stack, 'Writer', {
      stream: new kinesis.Stream(stack, 'Stream'),
      trustedAccountId: stack.account,
      trustedPrincipalArns: [collector.roleArn],
      externalIds: ['ext-1', 'ext-2'],
      ...(maxLength === undefined ? {} : { maxTrustPolicyLength: maxLength }),
    });
    // The error annotations the construct added (what synth reports), read without a synth.
    const lengthErrors = writer.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:error' && String(entry.data).startsWith('externalIds: '))
      .map((entry) => entry.data);
    return { lengthErrors, trust: stack.resolve(writer.role.assumeRolePolicy?.toJSON()) };
  }

  it('adds the synth error when the trust policy fits only if its tokens are counted as the text of the template', () => {
    // Prepare: a limit above the template's own text, below the deployed worst case.
    const { trust } = writerRole();
    const asWritten = deployed(trust);

    // Act
    const { lengthErrors } = writerRole(asWritten + 20);

    // Assess
    expect(iamPolicyLength(trust)).toBeGreaterThan(asWritten + 20);
    expect(lengthErrors).toHaveLength(1);
  });

  it('adds no error when the worst case of the tokens fits the limit', () => {
    const { trust } = writerRole();

    const { lengthErrors } = writerRole(iamPolicyLength(trust));

    expect(lengthErrors).toEqual([]);
  });
});
