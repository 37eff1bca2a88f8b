import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { StartPosition } from './tail-args';

/** A record as read from a shard (before deaggregation and decoding). */
export interface ShardRecord {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly arrivedAt?: Date;
  readonly data: Uint8Array;
}

export interface ShardReadOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly shardId: string;
  readonly start: StartPosition;
  /** Keep polling once caught up; else return `'caught-up'`. */
  readonly follow: boolean;
  /** Wait between polls of a caught-up shard. Kinesis allows 5 GetRecords per second per shard. */
  readonly pollMs: number;
  readonly signal: AbortSignal;
  readonly onRecords: (records: readonly ShardRecord[]) => void | Promise<void>;
  /**
   * Read `AT_TIMESTAMP` as `TRIM_HORIZON` and drop older records here. For kinesalite, which never
   * answers GetShardIterator AT_TIMESTAMP on a shard with no record after the timestamp.
   */
  readonly timestampOnClient?: boolean;
  /** Called once the shard's first iterator is open: records written from then on will be read. */
  readonly onOpen?: () => void;
  /**
   * Resume after this record (`AFTER_SEQUENCE_NUMBER`) instead of `start`: a checkpoint's sequence
   * number (the local archiver). @default - read from `start`
   */
  readonly afterSequenceNumber?: string;
}

/** How a shard's reading ended: closed by resharding (read to its end), caught up, or stopped. */
export type ShardReadEnd = 'closed' | 'caught-up' | 'aborted';

/** Smallest wait between two GetRecords on one shard (AWS: 5 per second per shard). */
const MIN_CALL_INTERVAL_MS = 200;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  // Aborting rejects with an AbortError: the only way this wait can fail, and an expected one.
  return sleepFor(ms, undefined, { signal }).catch(() => undefined);
}

function iteratorParams(options: ShardReadOptions, lastSequenceNumber: string | undefined) {
  const base = { StreamName: options.streamName, ShardId: options.shardId };
  if (lastSequenceNumber !== undefined) {
    return {
      ...base,
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: lastSequenceNumber,
    } satisfies GetShardIteratorCommandInput;
  }
  const { start } = options;
  if (start.type === 'AT_TIMESTAMP' && options.timestampOnClient) {
    return { ...base, ShardIteratorType: 'TRIM_HORIZON' } as const;
  }
  return start.type === 'AT_TIMESTAMP'
    ? ({ ...base, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: start.timestamp } as const)
    : ({ ...base, ShardIteratorType: start.type } as const);
}

const isBefore = (record: ShardRecord, time: Date) =>
  record.arrivedAt !== undefined && record.arrivedAt.getTime() < time.getTime();

const toShardRecord = (shardId: string, record: _Record): ShardRecord => ({
  shardId,
  partitionKey: record.PartitionKey ?? '',
  sequenceNumber: record.SequenceNumber ?? '',
  ...(record.ApproximateArrivalTimestamp === undefined
    ? {}
    : { arrivedAt: record.ApproximateArrivalTimestamp }),
  data: record.Data ?? new Uint8Array(),
});

/**
 * Reads one shard from `start` with GetRecords, handing each page's records to `onRecords` in
 * order. Re-opens an expired iterator after the last record seen; waits and retries when the
 * shard's read limit is exceeded. Returns when the shard is closed and read to its end, when it is
 * caught up (without `follow`), or when `signal` aborts.
 */
export async function readShard(options: ShardReadOptions): Promise<ShardReadEnd> {
  const { client, signal } = options;
  let lastSequenceNumber = options.afterSequenceNumber;
  const notBefore =
    options.start.type === 'AT_TIMESTAMP' && options.timestampOnClient ? options.start.timestamp : undefined;
  const openIterator = async () =>
    (
      await client.send(new GetShardIteratorCommand(iteratorParams(options, lastSequenceNumber)), {
        abortSignal: signal,
      })
    ).ShardIterator;
  let iterator = await openIterator();
  options.onOpen?.();
  while (iterator !== undefined && !signal.aborted) {
    const startedAt = Date.now();
    let page: Awaited<ReturnType<typeof fetchPage>>;
    try {
      page = await fetchPage(client, iterator, signal);
    } catch (error) {
      if (signal.aborted) return 'aborted';
      const name = (error as Error).name;
      if (name === 'ExpiredIteratorException') {
        iterator = await openIterator();
        continue;
      }
      if (name === 'ProvisionedThroughputExceededException') {
        await sleep(1_000, signal);
        continue;
      }
      throw error;
    }
    const records = (page.Records ?? []).map((record) => toShardRecord(options.shardId, record));
    if (records.length > 0) {
      const shown =
        notBefore === undefined ? records : records.filter((record) => !isBefore(record, notBefore));
      if (shown.length > 0) await options.onRecords(shown);
      lastSequenceNumber = records[records.length - 1]?.sequenceNumber;
    }
    iterator = page.NextShardIterator;
    if (iterator === undefined) return 'closed';
    // Caught up only on an empty page at the tip: kinesalite says 0 ms behind on every page.
    const caughtUp = records.length === 0 && (page.MillisBehindLatest ?? 0) === 0;
    if (caughtUp && !options.follow) return 'caught-up';
    await sleep(
      Math.max(caughtUp ? options.pollMs : 0, MIN_CALL_INTERVAL_MS) - (Date.now() - startedAt),
      signal,
    );
  }
  return signal.aborted ? 'aborted' : 'closed';
}

function fetchPage(client: KinesisClient, iterator: string, signal: AbortSignal) {
  return client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }), {
    abortSignal: signal,
  });
}
