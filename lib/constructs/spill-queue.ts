import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SPILL_QUEUE_DEFAULTS } from '../config/construct-defaults';

export interface SpillQueueProps {
  /**
   * How long spilled events wait for a redrive. SQS keeps a message at most 14 days.
   * @default - `SPILL_QUEUE_DEFAULTS.retentionDays`
   */
  readonly retention?: Duration;
  /**
   * Receives after which a message the redrive cannot write (e.g. a record Kinesis refuses for
   * good) moves to the dead-letter queue instead of blocking the redrive.
   * @default - `SPILL_QUEUE_DEFAULTS.maxReceiveCount`
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a message the redrive received stays invisible to other readers.
   * @default - `SPILL_QUEUE_DEFAULTS.visibilityTimeoutMinutes`
   */
  readonly visibilityTimeout?: Duration;
  /**
   * What happens to both queues (and their key) when they leave the stack. They hold events the
   * collector already answered 200 for, so by default they outlive the stack (`cdk destroy` leaves
   * them; delete them once drained).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Encrypt both queues with a new customer-managed KMS key (rotated yearly) instead of the
   * SQS-managed key, so key policy and CloudTrail decide and show who reads spilled events.
   * @default false
   */
  readonly customerManagedKey?: boolean;
  /**
   * The only principals (`aws:PrincipalArn`, `ArnLike` patterns allowed) that may send, receive,
   * delete, hide or purge messages: the collector's role and the redrive's. Everyone else is denied
   * by the queue policy, whatever their own policies allow.
   * @default - no such restriction: IAM policies alone decide
   */
  readonly allowedPrincipalArns?: readonly string[];
}

/**
 * The id under which the spill dead-letter queue's missing `RedriveAllowPolicy` (a scanner finding:
 * any queue of the account may name it as its dead-letter queue) is acknowledged, with its reason.
 */
export const SPILL_DLQ_REDRIVE_ALLOW_POLICY_ID = 'kinesis-event-forwarder:spill-dlq-redrive-allow-policy';

/** The message actions of the spill queues: what only the collector and the redrive may do. */
export const SPILL_MESSAGE_ACTIONS = [
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:PurgeQueue',
] as const;

/**
 * Where the collector spills events the stream still refuses after the retry budget, until
 * `npm run redrive` moves them back: an SQS standard queue (TLS only, 14-day retention, 1 MiB
 * messages) with its own dead-letter queue (same settings), both kept when the stack goes away,
 * encrypted with the SQS-managed or a customer-managed key, and readable only by the principals
 * named. Physical names are generated.
 */
export class SpillQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** The customer-managed key of both queues, when asked for. */
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: SpillQueueProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(SPILL_QUEUE_DEFAULTS.retentionDays);
    if (retention.toSeconds() < 60 || retention.toSeconds() > Duration.days(14).toSeconds()) {
      throw new Error('SpillQueue: retention must be from 1 minute to 14 days (the SQS limits)');
    }
    const maxReceiveCount = props.maxReceiveCount ?? SPILL_QUEUE_DEFAULTS.maxReceiveCount;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error('SpillQueue: maxReceiveCount must be a whole number from 1 to 1000');
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.customerManagedKey) {
      this.key = new kms.Key(this, 'Key', {
        description:
          'kinesis-event-forwarder: encrypts spilled events (spill queue and its dead-letter queue)',
        enableKeyRotation: true,
        // The key must outlive messages encrypted with it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    const secure = {
      ...(this.key === undefined
        ? { encryption: sqs.QueueEncryption.SQS_MANAGED }
        : { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.key }),
      enforceSSL: true,
      retentionPeriod: retention,
      maxMessageSizeBytes: 1_048_576,
      removalPolicy,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', secure);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: SPILL_DLQ_REDRIVE_ALLOW_POLICY_ID,
      reason:
        'No RedriveAllowPolicy: a byQueue policy naming the spill queue makes a dependency cycle (the spill queue names this queue in its RedrivePolicy), and naming the retained spill queue by a fixed name to break it would replace both retained queues and the events in them. What it would prevent is another queue of this account naming this one as its dead-letter queue, which takes sqs:SetQueueAttributes on that other queue (an administrator\'s permission); the queue policy still denies every message action here to all but the collector path and the redrive roles, and the redrive leaves a message not in the spill format in place, counted as unreadable (docs/security.md, "Acknowledged scanner results").',
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...secure,
      visibilityTimeout:
        props.visibilityTimeout ?? Duration.minutes(SPILL_QUEUE_DEFAULTS.visibilityTimeoutMinutes),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    const allowed = props.allowedPrincipalArns;
    if (allowed !== undefined) {
      if (allowed.length === 0)
        throw new Error('SpillQueue: allowedPrincipalArns must name at least one principal');
      for (const queue of [this.queue, this.deadLetterQueue]) {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: 'OnlyTheCollectorAndTheRedriveTouchSpilledEvents',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: [...SPILL_MESSAGE_ACTIONS],
            resources: [queue.queueArn],
            conditions: { ArnNotLike: { 'aws:PrincipalArn': [...allowed] } },
          }),
        );
      }
    }
  }
}
