import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { SEEN_TABLE_EXPIRES_AT, SEEN_TABLE_KEY } from '../../lambda/contract/seen-table';

export interface DedupTableProps {
  /**
   * What happens to the table when it leaves the stack. It holds marks, never events: losing it
   * only lets the copies of the next window through, so by default it goes with the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Point-in-time recovery. Marks are rebuilt by the traffic of one window, so a restore buys little;
   * turn it on when a policy asks for it on every table.
   * @default false
   */
  readonly pointInTimeRecovery?: boolean;
}

/**
 * The seen store of deduplication by `messageId` (docs/configuration.md, `dedup`): one item per mark
 * (partition key `id`: source, destination and messageId), on demand, encrypted with the AWS managed
 * key, DynamoDB's TTL on `expiresAt` (which only keeps the table small: the collector treats an
 * expired mark as absent itself). Created by the collector stack only when a source uses `dedup`.
 */
export class DedupTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DedupTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: SEEN_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: SEEN_TABLE_EXPIRES_AT,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? false },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    if (!props.pointInTimeRecovery) {
      Validations.of(this.table).acknowledge({
        id: 'AwsSolutions-DDB3',
        reason:
          'The table holds dedup marks, never events: a lost table lets the duplicates of one window through and refills itself within it, so point-in-time recovery (pointInTimeRecovery) would restore nothing worth its cost.',
      });
    }
  }
}

/** What the collector's function may do on the table: read marks (one or a batch) and write them. */
export const DEDUP_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;
