import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { fromSpillMessage, type SpilledRecord } from '../../lambda/delivery/spill-store';
import { SQS_BATCH_MAX_COUNT } from '../../lambda/delivery/sqs-spill-store';
import type { SpillLease, SpillSource } from './spill-redrive';

export interface SqsSpillSourceOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Messages per lease (read with ReceiveMessage, 10 at a time). @default 100 */
  readonly batchSize?: number;
  /** Seconds a received message stays invisible while the redrive writes it. @default 300 */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-poll seconds of each ReceiveMessage; an empty answer ends the run. @default 2 */
  readonly waitTimeSeconds?: number;
}

/**
 * The spill queue as a redrive source: leases of received messages (invisible to others meanwhile);
 * settling deletes the done ones with DeleteMessageBatch. Messages not deleted reappear after the
 * visibility timeout, and move to the dead-letter queue after the queue's `maxReceiveCount`.
 */
export class SqsSpillSource implements SpillSource {
  constructor(private readonly options: SqsSpillSourceOptions) {}

  async size(): Promise<number | undefined> {
    const { Attributes } = await this.options.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    const count = Number(Attributes?.ApproximateNumberOfMessages);
    return Number.isFinite(count) ? count : undefined;
  }

  async next(): Promise<SpillLease | undefined> {
    const { client, queueUrl } = this.options;
    const batchSize = this.options.batchSize ?? 100;
    const messages: Message[] = [];
    while (messages.length < batchSize) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH_MAX_COUNT, batchSize - messages.length),
          VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 300,
          WaitTimeSeconds: this.options.waitTimeSeconds ?? 2,
        }),
      );
      if (Messages.length === 0) break;
      messages.push(...Messages);
    }
    if (messages.length === 0) return undefined;
    const records: SpilledRecord[] = [];
    const handles: string[] = [];
    let unreadable = 0;
    for (const message of messages) {
      try {
        records.push(fromSpillMessage(message.Body ?? ''));
        handles.push(message.ReceiptHandle as string);
      } catch {
        unreadable++;
      }
    }
    return {
      records,
      unreadable,
      settle: async (done) => {
        const receipts = done.map((index) => handles[index] as string);
        for (let start = 0; start < receipts.length; start += SQS_BATCH_MAX_COUNT) {
          const entries = receipts
            .slice(start, start + SQS_BATCH_MAX_COUNT)
            .map((ReceiptHandle, position) => ({ Id: String(start + position), ReceiptHandle }));
          const output = await client.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          );
          if ((output.Failed ?? []).length > 0) {
            // Not deleted: it comes back after the visibility timeout and the next run skips or moves it.
            throw new SpillSettleError(`${output.Failed?.length} spill messages could not be deleted`);
          }
        }
      },
    };
  }
}

/** Moved records could not be removed from the spill store (they would be moved again next run). */
export class SpillSettleError extends Error {
  override readonly name = 'SpillSettleError';
}
