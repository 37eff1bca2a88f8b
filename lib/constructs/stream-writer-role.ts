import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ROLE_SESSION_NAME_PREFIX } from '../../lambda/contract/iam-identifiers';
import { iamPolicyLength } from '../iam-policy-length';

/** IAM's default "Role trust policy length" quota (characters, white space not counted). */
export const DEFAULT_TRUST_POLICY_MAX_LENGTH = 2048;

export interface StreamWriterRoleProps {
  /** The only stream the role may write to. */
  readonly stream: kinesis.IStream;
  /**
   * The stream's customer-managed key; the role gets `kms:GenerateDataKey` on it, only through
   * Kinesis (`kms:ViaService` = `kinesis.<region>.amazonaws.com`), and nothing else.
   * @default - no key statement (the AWS-managed key needs none)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * The failed-events stream next to `stream`: the role may put records there too, and nowhere else.
   * @default - none: the role writes to `stream` only
   */
  readonly failedStream?: kinesis.IStream;
  /**
   * The account whose principals may assume the role (they still need `sts:AssumeRole` in their
   * own identity policy, one of the external IDs, and an ARN in `trustedPrincipalArns`).
   */
  readonly trustedAccountId: string;
  /**
   * The only principals of `trustedAccountId` that may assume the role (`aws:PrincipalArn`): the
   * collector's role ARN, or `ArnLike` patterns such as every role under the collector's IAM path
   * (lib/collector-role-path.ts). At least one.
   */
  readonly trustedPrincipalArns: readonly string[];
  /** The role can be assumed only with `sts:ExternalId` equal to one of these (at least one). */
  readonly externalIds: readonly string[];
  /**
   * The trust policy length IAM accepts in the deploying account; a longer policy fails synth with
   * a message naming `externalIds`, instead of failing the deployment halfway.
   * @default - 2048 (IAM's default quota; it can be raised to 4096)
   */
  readonly maxTrustPolicyLength?: number;
}

/**
 * The role the collector assumes to write events. Trusted by one account, and within it only by
 * the principals named in `trustedPrincipalArns`, only with a known external ID and a session name
 * starting `kinesis-event-forwarder-`; allowed `kinesis:PutRecord` and `kinesis:PutRecords` on
 * exactly one stream (plus `kms:GenerateDataKey` on its key, through Kinesis only, when the key is
 * customer-managed).
 * `stream.grantWrite()` is not used: it also grants `kinesis:ListShards` and KMS encrypt/re-encrypt.
 */
export class StreamWriterRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StreamWriterRoleProps) {
    super(scope, id);
    const { externalIds, trustedPrincipalArns } = props;
    if (externalIds.length === 0) {
      throw new Error('StreamWriterRole: give at least one external ID (context key externalIds)');
    }
    if (trustedPrincipalArns.length === 0) {
      throw new Error(
        'StreamWriterRole: give at least one trusted principal ARN (context key collectorRoleArn)',
      );
    }
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteEventsToThisStreamOnly',
        actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        resources: [
          props.stream.streamArn,
          ...(props.failedStream === undefined ? [] : [props.failedStream.streamArn]),
        ],
      }),
    ];
    // The failed-events stream shares the event stream's key (EventStream sharedKey). Kinesis asks
    // KMS for the data key on the writer's behalf; a direct call to KMS with the role is refused.
    if (props.encryptionKey !== undefined) {
      const stack = Stack.of(this);
      statements.push(
        new iam.PolicyStatement({
          sid: 'EncryptRecordsWithTheStreamKey',
          actions: ['kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `kinesis.${stack.region}.${stack.urlSuffix}` },
          },
        }),
      );
    }
    const single = <T>(values: readonly T[]) => (values.length === 1 ? values[0] : [...values]);
    const wildcard = trustedPrincipalArns.some((arn) => arn.includes('*') || arn.includes('?'));
    this.role = new iam.Role(this, 'Role', {
      description:
        "Assumed by the event collector's role (with an external ID) to put records into one Kinesis stream",
      assumedBy: new iam.AccountPrincipal(props.trustedAccountId).withConditions({
        StringEquals: { 'sts:ExternalId': single(externalIds) },
        [wildcard ? 'ArnLike' : 'ArnEquals']: { 'aws:PrincipalArn': single(trustedPrincipalArns) },
        StringLike: { 'sts:RoleSessionName': `${ROLE_SESSION_NAME_PREFIX}*` },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { PutRecords: new iam.PolicyDocument({ statements }) },
    });

    const maxLength = props.maxTrustPolicyLength ?? DEFAULT_TRUST_POLICY_MAX_LENGTH;
    const trustPolicy = Stack.of(this).resolve(this.role.assumeRolePolicy?.toJSON());
    const length = iamPolicyLength(trustPolicy);
    if (length > maxLength) {
      const perId = Math.max(...externalIds.map((externalId) => externalId.length + 3));
      const fitting = Math.max(0, externalIds.length - Math.ceil((length - maxLength) / perId));
      Annotations.of(this).addError(
        `externalIds: ${externalIds.length} external IDs make the writer role's trust policy ${length} characters long; IAM accepts at most ${maxLength} (its "Role trust policy length" quota), so about ${fitting} IDs of this length fit. Give one external ID per collector rather than per source, remove retired IDs, or raise the quota (up to 4096) and deploy again.`,
      );
    }
  }
}
