import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { BackoffPolicy } from './backoff';
import { chunkIndices } from './chunk-indices';
import { type CallResult, failEveryItem, retryUntilDeadline } from './retry-until-deadline';
import {
  type SpilledRecord,
  type SpillFailure,
  type SpillReport,
  type SpillStore,
  spillMessageBody,
} from './spill-store';

/** SendMessageBatch limits: 10 messages per call. */
export const SQS_BATCH_MAX_COUNT = 10;
/**
 * The total size of one SendMessageBatch call (AWS docs, "Amazon SQS batch actions": 1,048,576
 * bytes), which is also the largest `MaximumMessageSize` a queue can have; the spill queue has it.
 */
export const SQS_BATCH_MAX_BYTES = 1_048_576;
export const SQS_MESSAGE_MAX_BYTES = 1_048_576;

export interface SqsSpillStoreOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** @default { baseDelayMs: 25, maxDelayMs: 250 } */
  readonly backoff?: BackoffPolicy;
  /** Largest message body the queue takes. @default SQS_MESSAGE_MAX_BYTES */
  readonly maxMessageBytes?: number;
  /** Shortest time worth starting another call with. @default 50 */
  readonly minCallMs?: number;
  /** @default - `Date.now` */
  readonly now?: () => number;
  /** @default - `setTimeout` of `node:timers/promises` */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Splits message indices into calls of at most 10 messages and 1 MiB of bodies, in order. */
export function chunkMessages(sizes: readonly number[], indices: readonly number[]): number[][] {
  return chunkIndices(indices, (index) => sizes[index] ?? 0, SQS_BATCH_MAX_COUNT, SQS_BATCH_MAX_BYTES);
}

/**
 * The spill store on an SQS queue: one message per record (`{ destinationId, partitionKey, data
 * (base64), eventId, failedAt, errorCode }`), sent with SendMessageBatch in calls of at most 10
 * messages and 1 MiB, in parallel. Entries SQS refuses alone (the batch's `Failed` list) or with
 * their whole call are sent again with jittered backoff until the deadline, except sender faults
 * (`SenderFault: true`: the message itself is wrong), which no retry fixes.
 */
export class SqsSpillStore implements SpillStore {
  private readonly maxMessageBytes: number;

  constructor(private readonly options: SqsSpillStoreOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? SQS_MESSAGE_MAX_BYTES;
  }

  async spill(records: readonly SpilledRecord[], deadline: number): Promise<SpillReport> {
    const bodies = records.map(spillMessageBody);
    const sizes = bodies.map((body) => Buffer.byteLength(body, 'utf8'));
    const failed: SpillFailure[] = [];
    const pending: number[] = [];
    sizes.forEach((size, index) => {
      if (size <= this.maxMessageBytes) pending.push(index);
      else
        failed.push({
          index,
          errorCode: 'MessageTooLong',
          errorMessage: `spill message is ${size} bytes; the queue takes at most ${this.maxMessageBytes}`,
        });
    });
    const report = await retryUntilDeadline(pending, {
      chunk: (indices) => chunkMessages(sizes, indices),
      send: (chunk, signal) => this.send(bodies, chunk, signal),
      backoff: this.options.backoff ?? { baseDelayMs: 25, maxDelayMs: 250 },
      deadline,
      minCallMs: this.options.minCallMs ?? 50,
      ...(this.options.now === undefined ? {} : { now: this.options.now }),
      ...(this.options.sleep === undefined ? {} : { sleep: this.options.sleep }),
    });
    failed.push(...report.failed);
    failed.sort((a, b) => a.index - b.index);
    return { failed };
  }

  private async send(
    bodies: readonly string[],
    chunk: readonly number[],
    signal: AbortSignal,
  ): Promise<CallResult> {
    const entries: SendMessageBatchRequestEntry[] = chunk.map((index) => ({
      Id: String(index),
      MessageBody: bodies[index] as string,
    }));
    let output: SendMessageBatchCommandOutput;
    try {
      output = await this.options.client.send(
        new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
        { abortSignal: signal },
      );
    } catch (error) {
      // A whole call failing is never the messages' fault: send them again.
      return failEveryItem(chunk, error, () => false);
    }
    const succeeded = new Set((output.Successful ?? []).map((entry) => entry.Id));
    const refused = new Map((output.Failed ?? []).map((entry) => [entry.Id, entry]));
    const result: CallResult = { retry: [], failed: [] };
    for (const index of chunk) {
      if (succeeded.has(String(index))) continue;
      const entry = refused.get(String(index));
      const failure = {
        index,
        errorCode: entry?.Code ?? 'InternalError',
        errorMessage: entry?.Message ?? 'no result for this message',
      };
      (entry?.SenderFault === true ? result.failed : result.retry).push(failure);
    }
    return result;
  }
}
