import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { SUPPRESSION_TABLE_KEY } from '../../lambda/contract/suppression-table';

export interface SuppressionTableProps {
  /**
   * What happens to the table when it leaves the stack. It holds the answers to erasure requests:
   * losing it lets suppressed users' events through again, so it is kept.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The suppression list of sources with `suppression` (docs/privacy.md): one item per suppressed id
 * of a source (partition key `id`: source, id kind and the id's keyed hash with the deployment's hash
 * key, FieldHashKeySecret, never the id), on demand, encrypted with the AWS managed key,
 * point-in-time recovery on. Created by the collector stack only when a source turns `suppression`
 * on. The collector function reads it; `npm run suppress` writes it with the operator's own
 * credentials.
 */
export class SuppressionTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SuppressionTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: SUPPRESSION_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}

/** What the collector's function may do on the table: read suppressions, one or a batch. */
export const SUPPRESSION_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem'] as const;
