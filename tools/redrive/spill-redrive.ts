import type { RecordWriter } from '../../lambda/delivery/record-writer';
import type { SeenKey, SeenStore } from '../../lambda/delivery/seen-store';
import type { SpilledRecord } from '../../lambda/delivery/spill-store';

/** Some spilled records on loan from a spill source, until `settle` says which are done. */
export interface SpillLease {
  readonly records: readonly SpilledRecord[];
  /** Entries that could not be read as spill messages (left in place; SQS moves them to its DLQ). */
  readonly unreadable: number;
  /** Removes the records at `done` from the source for good; the others stay for a later run. */
  settle(done: readonly number[]): Promise<void>;
}

/** Where a redrive reads spilled records from: the SQS spill queue or the local spill files. */
export interface SpillSource {
  /** Records in the source when the run starts, if known (for the progress bar). */
  size(): Promise<number | undefined>;
  /** The next records, or `undefined` when there are none left for this run. */
  next(): Promise<SpillLease | undefined>;
}

/** The counts of a redrive run. */
export interface RedriveSummary {
  /** Spilled records read. */
  readonly read: number;
  /** Written to their stream (acknowledged by Kinesis), then removed from the spill store. */
  readonly moved: number;
  /**
   * Skipped and removed: an event with the same destination and `event_id` was moved earlier in the
   * run, or (with a seen store) its `messageId` is marked `stream` for its destination.
   */
  readonly duplicates: number;
  /** Not written (the stream refused them, or no writer for their destination); left in the store. */
  readonly failed: number;
  /** Entries that are not spill messages; left in the store. */
  readonly unreadable: number;
}

export interface RedriveOptions {
  readonly source: SpillSource;
  /** The writer of a destination id, or `undefined` when the redrive has no stream for it. */
  readonly writerFor: (destinationId: string) => RecordWriter | undefined;
  /** Time each batch may take to write, retries included. @default 30000 */
  readonly batchBudgetMs?: number;
  readonly onProgress?: (summary: RedriveSummary) => void;
  /**
   * The seen store of `dedup`: a spilled event whose source deduplicates is dropped when its
   * `messageId` is marked `stream` for its destination (its own `spill` mark never drops it), and
   * its mark turns into `stream` once it is written. Fail open: a store that fails drops nothing.
   * @default none: every spilled event is written
   */
  readonly seenStore?: SeenStore;
  /** Told when the seen store failed and events were written unchecked or left unmarked. */
  readonly onSeenStoreError?: (error: unknown) => void;
  readonly now?: () => number;
}

const seenKeyOf = (record: SpilledRecord): SeenKey | undefined =>
  record.seenMark === undefined
    ? undefined
    : {
        sourceId: record.seenMark.sourceId,
        messageId: record.seenMark.messageId,
        destinationId: record.destinationId,
      };

/** The records of `indices` already marked `stream` (in the stream since they were spilled). */
async function inStream(
  records: readonly SpilledRecord[],
  indices: readonly number[],
  options: RedriveOptions,
): Promise<Set<number>> {
  const store = options.seenStore;
  const tagged = indices.filter((index) => (records[index] as SpilledRecord).seenMark !== undefined);
  if (store === undefined || tagged.length === 0) return new Set();
  try {
    const seen = await store.seen(
      tagged.map((index) => seenKeyOf(records[index] as SpilledRecord) as SeenKey),
    );
    return new Set(tagged.filter((_, position) => seen[position] === 'stream'));
  } catch (error) {
    options.onSeenStoreError?.(error);
    return new Set();
  }
}

/** Turns the marks of written records into `stream`, so a later copy (or replay) is dropped. */
async function markInStream(records: readonly SpilledRecord[], options: RedriveOptions): Promise<void> {
  const store = options.seenStore;
  const marks = records.flatMap((record) => {
    const key = seenKeyOf(record);
    return key === undefined || record.seenMark === undefined
      ? []
      : [{ key, where: 'stream' as const, expiresAt: record.seenMark.expiresAt }];
  });
  if (store === undefined || marks.length === 0) return;
  try {
    await store.mark(marks);
  } catch (error) {
    options.onSeenStoreError?.(error);
  }
}

const keyOf = (record: SpilledRecord) => `${record.destinationId}\u0000${record.eventId}`;

/**
 * Moves spilled events back into their streams: reads a batch, skips events already moved in this
 * run (same destination and `event_id`), writes the rest with the destination's writer, and
 * removes from the store only what Kinesis acknowledged (and the skipped duplicates). What is
 * not written stays for the next run; nothing is removed before it is durable in its stream.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveSummary> {
  const now = options.now ?? Date.now;
  const budget = options.batchBudgetMs ?? 30_000;
  const moved = new Set<string>();
  const summary = { read: 0, moved: 0, duplicates: 0, failed: 0, unreadable: 0 };
  for (let lease = await options.source.next(); lease !== undefined; lease = await options.source.next()) {
    summary.read += lease.records.length;
    summary.unreadable += lease.unreadable;
    const done: number[] = [];
    const byDestination = new Map<string, number[]>();
    /** Copies of an event whose first copy in this lease is being written: settled after it. */
    const laterCopies: number[] = [];
    const inLease = new Set<string>();
    const marked = await inStream(
      lease.records,
      lease.records.map((_, index) => index),
      options,
    );
    lease.records.forEach((record, index) => {
      const key = keyOf(record);
      if ((record.eventId !== '' && moved.has(key)) || marked.has(index)) {
        summary.duplicates++;
        done.push(index);
        return;
      }
      if (record.eventId !== '' && inLease.has(key)) {
        laterCopies.push(index);
        return;
      }
      inLease.add(key);
      byDestination.set(record.destinationId, [...(byDestination.get(record.destinationId) ?? []), index]);
    });
    await Promise.all(
      [...byDestination].map(async ([destinationId, indices]) => {
        const writer = options.writerFor(destinationId);
        if (writer === undefined) {
          summary.failed += indices.length;
          return;
        }
        const records = indices.map((index) => lease.records[index] as SpilledRecord);
        const report = await writer.write(records, now() + budget);
        const failed = new Set(report.failed.map((failure) => failure.index));
        await markInStream(
          records.filter((_, position) => !failed.has(position)),
          options,
        );
        indices.forEach((index, position) => {
          if (failed.has(position)) {
            summary.failed++;
            return;
          }
          summary.moved++;
          moved.add(keyOf(records[position] as SpilledRecord));
          done.push(index);
        });
      }),
    );
    for (const index of laterCopies) {
      // Removed only if its first copy is now in the stream; else kept for the next run.
      if (moved.has(keyOf(lease.records[index] as SpilledRecord))) {
        summary.duplicates++;
        done.push(index);
      } else {
        summary.failed++;
      }
    }
    await lease.settle(done.sort((a, b) => a - b));
    options.onProgress?.({ ...summary });
  }
  return summary;
}
