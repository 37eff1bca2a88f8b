/** What deduplication needs of a record whose source has `dedup` on (lambda/delivery/deduplicating-record-writer.ts). */
export interface DedupTag {
  readonly sourceId: string;
  readonly messageId: string;
  /** How long the record's mark counts (the source's `dedup.windowHours`), in seconds. */
  readonly windowSeconds: number;
}

/** One record bound for a stream: the serialised envelope and its partition key. */
export interface OutgoingRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** Set when the record's source deduplicates by `messageId`. @default not deduplicated */
  readonly dedup?: DedupTag;
}

/** A record the writer gave up on, by its index in the batch it was given. */
export interface FailedRecord {
  readonly index: number;
  /** Kinesis' error code (`ProvisionedThroughputExceededException`, `AccessDeniedException`, ...). */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** Set by the spilling writer when the spill store could not keep the record either. */
  readonly spillFailed?: true;
}

/** What happened to a batch: every record not listed in `failed` is durably in the stream. */
export interface WriteReport {
  readonly failed: readonly FailedRecord[];
  /** Write calls made, retries included. */
  readonly calls: number;
  /** Calls that re-sent records after a failure. */
  readonly retries?: number;
  /** Record failures with a throttling code, counted per attempt (retried ones included). */
  readonly throttledRecords?: number;
  /**
   * The partition keys of those throttled records, each once: the hot-key writer's feedback
   * (in memory only; never logged, as keys may be user ids).
   */
  readonly throttledKeys?: readonly string[];
  /** Wall time of the whole write, retries and backoff included. */
  readonly durationMs?: number;
  /** Indices of the records durable in the spill store rather than the stream (set by the spilling writer). */
  readonly spilled?: readonly number[];
  /** Records not written because an earlier copy is already durable (set by the deduplicating writer). */
  readonly duplicates?: number;
}

/** Writes records to one destination, retrying what can be retried until `deadline` (epoch ms). */
export interface RecordWriter {
  write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport>;
}

const THROTTLING_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
]);

/** Whether an error code means "too fast, slow down" (answered 429) rather than a fault (503). */
export function isThrottling(errorCode: string): boolean {
  return THROTTLING_CODES.has(errorCode);
}
