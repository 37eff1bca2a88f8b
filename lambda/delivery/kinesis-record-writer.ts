import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import type { BackoffPolicy } from './backoff';
import { chunkRecords } from './chunk-records';
import type { WriteObserver } from './delivery-diagnostics';
import { isThrottling, type OutgoingRecord, type RecordWriter, type WriteReport } from './record-writer';
import { type CallResult, failEveryItem, retryUntilDeadline } from './retry-until-deadline';

/** Errors that no retry can fix: wrong stream, region, permissions, key or request. */
const PERMANENT_ERRORS = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ValidationException',
  'InvalidArgumentException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  // STS, while the client gets credentials for the call: the role or its trust policy refuses us.
  'AccessDenied',
  'InvalidClientTokenId',
  'RegionDisabledException',
]);

export interface KinesisRecordWriterOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly backoff: BackoffPolicy;
  /**
   * PutRecords calls of one write in flight at once: a 6 MB request makes a dozen calls, and
   * sending them all at once holds every serialised call in memory together. @default 4
   */
  readonly maxCallsInFlight?: number;
  /** Shortest time worth starting another PutRecords call with. @default 100 */
  readonly minCallMs?: number;
  /** @default - `Date.now` */
  readonly now?: () => number;
  /** @default - `setTimeout` of `node:timers/promises` */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** @default - `Math.random` */
  readonly random?: () => number;
  /** Told every batch's outcome (diagnostics: metric, one log line per problem). */
  readonly observer?: WriteObserver;
}

/**
 * Writes records with PutRecords: calls of at most 500 records and 5 MiB, sent in parallel;
 * records that fail alone (throttling, `InternalFailure`) or with their whole call (throttling,
 * 5xx, network) are retried by themselves with jittered exponential backoff until the deadline.
 * Permanent errors (permissions, missing stream, KMS) fail at once: retrying cannot fix them.
 */
export class KinesisRecordWriter implements RecordWriter {
  private readonly now: () => number;

  constructor(private readonly options: KinesisRecordWriterOptions) {
    this.now = options.now ?? Date.now;
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const started = this.now();
    let throttledRecords = 0;
    const throttledKeys = new Set<string>();
    const { failed, calls, retries } = await retryUntilDeadline(
      records.map((_, index) => index),
      {
        chunk: (pending) => chunkRecords(records, pending),
        send: async (chunk, signal) => {
          const result = await this.put(records, chunk, signal);
          for (const failure of result.retry) {
            if (!isThrottling(failure.errorCode)) continue;
            throttledRecords += 1;
            throttledKeys.add((records[failure.index] as OutgoingRecord).partitionKey);
          }
          return result;
        },
        backoff: this.options.backoff,
        deadline,
        minCallMs: this.options.minCallMs ?? 100,
        maxCallsInFlight: this.options.maxCallsInFlight ?? 4,
        now: this.now,
        ...(this.options.sleep === undefined ? {} : { sleep: this.options.sleep }),
        ...(this.options.random === undefined ? {} : { random: this.options.random }),
      },
    );
    const report = { failed, calls, retries, throttledRecords, durationMs: this.now() - started };
    this.options.observer?.written(report);
    return throttledKeys.size === 0 ? report : { ...report, throttledKeys: [...throttledKeys] };
  }

  private async put(
    records: readonly OutgoingRecord[],
    chunk: readonly number[],
    signal: AbortSignal,
  ): Promise<CallResult> {
    let output: PutRecordsCommandOutput;
    try {
      output = await this.options.client.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: chunk.map((index) => {
            const record = records[index] as OutgoingRecord;
            return { Data: record.data, PartitionKey: record.partitionKey };
          }),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      return failEveryItem(chunk, error, (errorCode) => PERMANENT_ERRORS.has(errorCode));
    }
    const result: CallResult = { retry: [], failed: [] };
    chunk.forEach((index, position) => {
      const entry = output.Records?.[position];
      if (entry !== undefined && entry.ErrorCode === undefined) return;
      const errorCode = entry?.ErrorCode ?? 'InternalFailure';
      const failure = { index, errorCode, errorMessage: entry?.ErrorMessage ?? 'no result for this record' };
      (PERMANENT_ERRORS.has(errorCode) ? result.failed : result.retry).push(failure);
    });
    return result;
  }
}
