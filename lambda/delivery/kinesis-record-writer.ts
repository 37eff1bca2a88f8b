import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { type BackoffPolicy, backoffDelay } from './backoff';
import { chunkRecords } from './chunk-records';
import type { WriteObserver } from './delivery-diagnostics';
import {
  type FailedRecord,
  isThrottling,
  type OutgoingRecord,
  type RecordWriter,
  type WriteReport,
} from './record-writer';

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
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Told every batch's outcome (diagnostics: metric, one log line per problem). */
  readonly observer?: WriteObserver;
}

/** A call's outcome: failures worth retrying, and failures that are final. */
interface ChunkResult {
  readonly retry: FailedRecord[];
  readonly failed: FailedRecord[];
}

/** `fn` over `items` with at most `limit` calls pending at once; results in the items' order. */
async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorCodeOf(error: unknown): string {
  const named = error as { name?: unknown; code?: unknown };
  if (typeof named.name === 'string' && named.name !== 'Error') return named.name;
  return typeof named.code === 'string' ? named.code : 'UnknownError';
}

/**
 * Writes records with PutRecords: calls of at most 500 records and 5 MiB, sent in parallel;
 * records that fail alone (throttling, `InternalFailure`) or with their whole call (throttling,
 * 5xx, network) are retried by themselves with jittered exponential backoff until the deadline.
 * Permanent errors (permissions, missing stream, KMS) fail at once: retrying cannot fix them.
 */
export class KinesisRecordWriter implements RecordWriter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly minCallMs: number;
  private readonly maxCallsInFlight: number;

  constructor(private readonly options: KinesisRecordWriterOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.minCallMs = options.minCallMs ?? 100;
    this.maxCallsInFlight = options.maxCallsInFlight ?? 4;
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const failed: FailedRecord[] = [];
    let pending = records.map((_, index) => index);
    let retryable: FailedRecord[] = [];
    let calls = 0;
    let retries = 0;
    let throttledRecords = 0;
    const started = this.now();
    for (let attempt = 0; pending.length > 0; attempt++) {
      const chunks = chunkRecords(records, pending);
      calls += chunks.length;
      if (attempt > 0) retries += chunks.length;
      const results = await mapWithConcurrency(chunks, this.maxCallsInFlight, (chunk) =>
        this.put(records, chunk, deadline),
      );
      retryable = results.flatMap((result) => result.retry);
      failed.push(...results.flatMap((result) => result.failed));
      throttledRecords += retryable.filter((failure) => isThrottling(failure.errorCode)).length;
      pending = retryable.map((failure) => failure.index);
      if (pending.length === 0) break;
      const delay = backoffDelay(this.options.backoff, attempt, this.random);
      if (this.now() + delay + this.minCallMs > deadline) break;
      await this.sleep(delay);
    }
    failed.push(...retryable);
    failed.sort((a, b) => a.index - b.index);
    const report = { failed, calls, retries, throttledRecords, durationMs: this.now() - started };
    this.options.observer?.written(report);
    return report;
  }

  private async put(
    records: readonly OutgoingRecord[],
    chunk: readonly number[],
    deadline: number,
  ): Promise<ChunkResult> {
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
        { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - this.now()))) },
      );
    } catch (error) {
      const errorCode = errorCodeOf(error);
      const errorMessage = error instanceof Error ? error.message : String(error);
      const failures = chunk.map((index) => ({ index, errorCode, errorMessage }));
      return PERMANENT_ERRORS.has(errorCode)
        ? { retry: [], failed: failures }
        : { retry: failures, failed: [] };
    }
    const result: ChunkResult = { retry: [], failed: [] };
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
