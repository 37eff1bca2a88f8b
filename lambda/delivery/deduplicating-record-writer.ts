import type { FailedRecord, OutgoingRecord, RecordWriter, WriteReport } from './record-writer';
import type { SeenKey, SeenMark, SeenStore } from './seen-store';

/** Which call to the seen store failed and let events through unchecked or unmarked. */
export type DedupFailOpenStage = 'seen' | 'mark';

export interface DeduplicatingRecordWriterOptions {
  readonly writer: RecordWriter;
  readonly destinationId: string;
  readonly store: SeenStore;
  /** Told the number of records dropped as duplicates of one write (`DuplicateEvents` metric). */
  readonly onDuplicates?: (count: number) => void;
  /**
   * Told each time the seen store failed and events went on without it (`DedupFailOpen` metric):
   * `seen` failed: `count` events written unchecked; `mark` failed: `count` events left unmarked.
   */
  readonly onFailOpen?: (stage: DedupFailOpenStage, count: number, error: unknown) => void;
  /**
   * Which marks drop a record: `any` (the collector: a copy in the stream or the spill store is
   * durable either way) or `stream` (redrive and `replay-failed`: a copy only spilled is still to come).
   * @default 'any'
   */
  readonly dropWhen?: 'any' | 'stream';
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * A destination's writer that drops the records whose `messageId` is already durable there
 * (marked `stream` or `spill` in the seen store within its source's window), and marks each record
 * it wrote once the write says it is durable: `stream` when the stream took it, `spill` when the
 * spill store did. Records without a {@link OutgoingRecord.dedup} tag pass through unchecked.
 *
 * Never loses an event for it: a record is dropped only on a mark, and marks are written only after
 * the write. Two copies asked about at the same time may both be written (neither is marked yet).
 * Fail open, decided here and only here: when the seen store cannot answer, every record is written;
 * when it cannot mark, the records stay written and unmarked; both are counted and never fail the write.
 */
export class DeduplicatingRecordWriter implements RecordWriter {
  private readonly now: () => number;

  constructor(private readonly options: DeduplicatingRecordWriterOptions) {
    this.now = options.now ?? Date.now;
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const { destinationId, store } = this.options;
    const tagged = records.flatMap((record, index) => (record.dedup === undefined ? [] : [index]));
    if (tagged.length === 0) return this.options.writer.write(records, deadline);

    const keyOf = (index: number): SeenKey => {
      const tag = (records[index] as OutgoingRecord).dedup as NonNullable<OutgoingRecord['dedup']>;
      return { sourceId: tag.sourceId, messageId: tag.messageId, destinationId };
    };
    const duplicate = new Set<number>();
    try {
      const seen = await store.seen(tagged.map(keyOf));
      seen.forEach((where, position) => {
        const drops = this.options.dropWhen === 'stream' ? where === 'stream' : where !== undefined;
        if (drops) duplicate.add(tagged[position] as number);
      });
    } catch (error) {
      this.options.onFailOpen?.('seen', tagged.length, error);
    }
    if (duplicate.size > 0) this.options.onDuplicates?.(duplicate.size);

    // Written: the records that are not duplicates, by their index in `records`.
    const written = records.flatMap((_, index) => (duplicate.has(index) ? [] : [index]));
    const report =
      written.length === 0
        ? { failed: [], calls: 0 }
        : await this.options.writer.write(
            duplicate.size === 0 ? records : written.map((index) => records[index] as OutgoingRecord),
            deadline,
          );
    const original = (index: number) => written[index] as number;
    const failed: FailedRecord[] = report.failed.map((failure) => ({
      ...failure,
      index: original(failure.index),
    }));
    const spilled = (report.spilled ?? []).map(original);

    await this.markDurable(records, written, report, keyOf);
    return {
      ...report,
      failed,
      ...(report.spilled === undefined ? {} : { spilled }),
      ...(duplicate.size > 0 ? { duplicates: duplicate.size } : {}),
    };
  }

  /** Marks the written records that are durable: in the stream, or in the spill store. */
  private async markDurable(
    records: readonly OutgoingRecord[],
    written: readonly number[],
    report: WriteReport,
    keyOf: (index: number) => SeenKey,
  ): Promise<void> {
    const failed = new Set(report.failed.map((failure) => failure.index));
    const spilled = new Set(report.spilled ?? []);
    const nowSeconds = Math.floor(this.now() / 1000);
    const marks: SeenMark[] = written.flatMap((index, position): SeenMark[] => {
      const tag = (records[index] as OutgoingRecord).dedup;
      if (tag === undefined || failed.has(position)) return [];
      return [
        {
          key: keyOf(index),
          where: spilled.has(position) ? 'spill' : 'stream',
          expiresAt: nowSeconds + tag.windowSeconds,
        },
      ];
    });
    if (marks.length === 0) return;
    try {
      await this.options.store.mark(marks);
    } catch (error) {
      this.options.onFailOpen?.('mark', marks.length, error);
    }
  }
}

/** Puts deduplication in front of a destination's writer; without a seen store, the writer as it is. */
export function withDedup(
  writer: RecordWriter,
  destinationId: string,
  store: SeenStore | undefined,
  options: Omit<DeduplicatingRecordWriterOptions, 'writer' | 'destinationId' | 'store'> = {},
): RecordWriter {
  if (store === undefined) return writer;
  return new DeduplicatingRecordWriter({ ...options, writer, destinationId, store });
}
