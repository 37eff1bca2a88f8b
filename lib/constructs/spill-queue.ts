import { Duration } from 'aws-cdk-lib';
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
}

/**
 * Where the collector spills events the stream still refuses after the retry budget, until
 * `npm run redrive` moves them back: an SQS standard queue (SQS-managed encryption, TLS only,
 * 14-day retention, 1 MiB messages) with its own dead-letter queue (same settings). Physical
 * names are generated.
 */
export class SpillQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

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
    const secure = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: retention,
      maxMessageSizeBytes: 1_048_576,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', secure);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...secure,
      visibilityTimeout:
        props.visibilityTimeout ?? Duration.minutes(SPILL_QUEUE_DEFAULTS.visibilityTimeoutMinutes),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}
