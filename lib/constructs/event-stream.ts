import { Duration, Validations } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVENT_STREAM_DEFAULTS } from '../config/construct-defaults';

export interface EventStreamProps {
  /**
   * Number of shards; `undefined` makes the stream on-demand (capacity follows traffic).
   * @default - on-demand
   */
  readonly shardCount?: number;
  /**
   * How long records stay readable.
   * @default - `EVENT_STREAM_DEFAULTS.retentionHours`
   */
  readonly retention?: Duration;
  /**
   * Encrypt with a customer-managed KMS key (created here, rotation on) instead of `aws/kinesis`.
   * @default - `EVENT_STREAM_DEFAULTS.customerManagedKey` (the AWS-managed key)
   */
  readonly customerManagedKey?: boolean;
  /**
   * Encrypt with this customer-managed key, created elsewhere (the failed-events stream shares the
   * event stream's key, so the writer role needs one key statement).
   * @default - the key customerManagedKey asks for, else aws/kinesis
   */
  readonly sharedKey?: kms.IKey;
}

/**
 * The Kinesis data stream the collector writes to, always encrypted at rest: with the AWS-managed
 * `aws/kinesis` key by default, or with a customer-managed key (rotated yearly) on request.
 */
export class EventStream extends Construct {
  readonly stream: kinesis.Stream;
  /** The customer-managed key, when one was asked for. */
  readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: EventStreamProps = {}) {
    super(scope, id);
    const { shardCount } = props;
    if (shardCount !== undefined && (!Number.isInteger(shardCount) || shardCount < 1)) {
      throw new Error(`EventStream: shardCount must be a whole number >= 1, got ${shardCount}`);
    }
    if (props.sharedKey !== undefined) {
      this.key = props.sharedKey;
    } else if (props.customerManagedKey ?? EVENT_STREAM_DEFAULTS.customerManagedKey) {
      this.key = new kms.Key(this, 'Key', {
        description: 'Encrypts the collector event stream at rest',
        enableKeyRotation: true,
      });
    }
    this.stream = new kinesis.Stream(this, 'Stream', {
      ...(shardCount === undefined
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount }),
      retentionPeriod: props.retention ?? Duration.hours(EVENT_STREAM_DEFAULTS.retentionHours),
      ...(this.key === undefined
        ? { encryption: kinesis.StreamEncryption.MANAGED }
        : { encryption: kinesis.StreamEncryption.KMS, encryptionKey: this.key }),
    });
    if (this.key !== undefined) {
      Validations.of(this.stream).acknowledge({
        id: 'AwsSolutions-KDS3',
        reason:
          'A customer-managed key instead of aws/kinesis is an explicit choice (-c streamEncryption=CUSTOMER_MANAGED) for owners who need their own key policy, CloudTrail trail of key use, or crypto-shredding; the key rotates yearly.',
      });
    }
  }
}
