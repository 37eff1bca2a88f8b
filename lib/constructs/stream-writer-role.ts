import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface StreamWriterRoleProps {
  /** The only stream the role may write to. */
  readonly stream: kinesis.IStream;
  /** The stream's customer-managed key; the role gets `kms:GenerateDataKey` on it and nothing else. */
  readonly encryptionKey?: kms.IKey;
  /**
   * The account whose principals may assume the role (they still need `sts:AssumeRole` in their
   * own identity policy, and one of the external IDs).
   */
  readonly trustedAccountId: string;
  /** The role can be assumed only with `sts:ExternalId` equal to one of these (at least one). */
  readonly externalIds: readonly string[];
}

/**
 * The role the collector assumes to write events: trusted by one account, only with a known external
 * ID, and allowed `kinesis:PutRecord` and `kinesis:PutRecords` on exactly one stream (plus
 * `kms:GenerateDataKey` on its key when the key is customer-managed). `stream.grantWrite()` is not
 * used: it also grants `kinesis:ListShards` and KMS encrypt/re-encrypt.
 */
export class StreamWriterRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StreamWriterRoleProps) {
    super(scope, id);
    const { externalIds } = props;
    if (externalIds.length === 0) {
      throw new Error('StreamWriterRole: give at least one external ID (context key externalIds)');
    }
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteEventsToThisStreamOnly',
        actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        resources: [props.stream.streamArn],
      }),
    ];
    if (props.encryptionKey !== undefined) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'EncryptRecordsWithTheStreamKey',
          actions: ['kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
        }),
      );
    }
    this.role = new iam.Role(this, 'Role', {
      description:
        'Assumed by the event collector (with an external ID) to put records into one Kinesis stream',
      assumedBy: new iam.AccountPrincipal(props.trustedAccountId).withConditions({
        StringEquals: { 'sts:ExternalId': externalIds.length === 1 ? externalIds[0] : [...externalIds] },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { PutRecords: new iam.PolicyDocument({ statements }) },
    });
  }
}
