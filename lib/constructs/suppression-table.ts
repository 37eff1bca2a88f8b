import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SUPPRESSION_TABLE_KEY } from '../../lambda/contract/suppression-table';

export interface SuppressionTableProps {
  /**
   * What happens to the table (and its HMAC key) when they leave the stack. They hold the answers to
   * erasure requests: losing them lets suppressed users' events through again, so they are kept.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The HMAC key suppressed ids are hashed with (the deployment's keyed-hashing key, shared with field
   * rules' `hash` when that exists).
   * @default - a generated secret, 64 letters and digits, retained
   */
  readonly hmacKeySecret?: secretsmanager.ISecret;
}

/**
 * The suppression list of sources with `suppression` (docs/privacy.md): one item per suppressed id
 * of a source (partition key `id`: source, id kind and HMAC of the id, never the id), on demand,
 * encrypted with the AWS managed key, point-in-time recovery on. Created by the collector stack only
 * when a source turns `suppression` on. The collector function reads it; `npm run suppress` writes it
 * with the operator's own credentials.
 */
export class SuppressionTable extends Construct {
  readonly table: dynamodb.Table;
  readonly hmacKeySecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: SuppressionTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: SUPPRESSION_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    if (props.hmacKeySecret !== undefined) {
      this.hmacKeySecret = props.hmacKeySecret;
    } else {
      const secret = new secretsmanager.Secret(this, 'HmacKey', {
        description:
          'The HMAC key suppressed ids (and keyed hashes) are made with: rotating it unmatches them all',
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the HMAC key makes every stored hash unmatched (suppressions lapse, joins break): it is rotated by hand with the suppressions re-added (docs/privacy.md), never on a schedule.',
      });
      this.hmacKeySecret = secret;
    }
  }
}

/** What the collector's function may do on the table: read suppressions, one or a batch. */
export const SUPPRESSION_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
