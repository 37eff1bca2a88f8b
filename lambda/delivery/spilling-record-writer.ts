import type { FailedRecord, OutgoingRecord, RecordWriter, WriteReport } from './record-writer';
import type { SpilledRecord, SpillStore } from './spill-store';

/** What was spilled for one batch, for logs and metrics (counts and codes, never payloads). */
export interface SpillNotice {
  readonly destinationId: string;
  /** Records now in the spill store. */
  readonly spilled: number;
  /** Records in neither the stream nor the spill store (the client is asked to send them again). */
  readonly unsaved: number;
  readonly errorCodes: readonly string[];
}

export interface SpillingRecordWriterOptions {
  readonly writer: RecordWriter;
  readonly destinationId: string;
  readonly store: SpillStore;
  /**
   * Time kept back from the request's deadline for spilling: the stream writer gets
   * `deadline - spillReserveMs` (at most half of what is left), the spill store the rest.
   * @default 1000
   */
  readonly spillReserveMs?: number;
  readonly onSpill?: (notice: SpillNotice) => void;
  readonly now?: () => number;
}

/** The `event_id` of a serialised envelope, read only on the (rare) spill path. */
function eventIdOf(data: Uint8Array): string {
  try {
    const id = (JSON.parse(Buffer.from(data).toString('utf8')) as { event_id?: unknown }).event_id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/**
 * A destination's writer with a spill store behind it: records the stream still refuses when its
 * retry budget is over go to the spill store, and only records in neither are reported failed.
 * So the answer stays the truth about durability: 200 only when every record is in the stream
 * or spilled; 429/503 (by the stream's own error codes) when some are in neither.
 *
 * Time budget: the stream writer gets the request's deadline minus `spillReserveMs`, so a stream
 * that times out still leaves the spill store time to answer before the client's deadline.
 */
export class SpillingRecordWriter implements RecordWriter {
  private readonly reserveMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SpillingRecordWriterOptions) {
    this.reserveMs = options.spillReserveMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  async write(records: readonly OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const left = Math.max(0, deadline - this.now());
    const writeDeadline = deadline - Math.min(this.reserveMs, Math.floor(left / 2));
    const report = await this.options.writer.write(records, writeDeadline);
    if (report.failed.length === 0) return report;

    const nowMs = this.now();
    const failedAt = new Date(nowMs).toISOString();
    const spilled: SpilledRecord[] = report.failed.map((failure) => {
      const record = records[failure.index] as OutgoingRecord;
      return {
        destinationId: this.options.destinationId,
        partitionKey: record.partitionKey,
        data: record.data,
        eventId: eventIdOf(record.data),
        failedAt,
        errorCode: failure.errorCode,
        ...(record.dedup === undefined
          ? {}
          : {
              seenMark: {
                sourceId: record.dedup.sourceId,
                messageId: record.dedup.messageId,
                expiresAt: Math.floor(nowMs / 1000) + record.dedup.windowSeconds,
              },
            }),
      };
    });
    let notSpilled: ReadonlySet<number>;
    try {
      const spillReport = await this.options.store.spill(spilled, deadline);
      notSpilled = new Set(spillReport.failed.map((failure) => failure.index));
    } catch {
      notSpilled = new Set(spilled.map((_, position) => position));
    }
    // Still failed: the stream's own failure (its code decides 429 or 503), not the spill store's.
    const failed: FailedRecord[] = report.failed
      .filter((_, position) => notSpilled.has(position))
      .map((failure) => ({ ...failure, spillFailed: true as const }));
    this.options.onSpill?.({
      destinationId: this.options.destinationId,
      spilled: report.failed.length - failed.length,
      unsaved: failed.length,
      errorCodes: [...new Set(report.failed.map((failure) => failure.errorCode))],
    });
    const spilledIndices = report.failed
      .filter((_, position) => !notSpilled.has(position))
      .map((failure) => failure.index);
    return { ...report, failed, spilled: spilledIndices };
  }
}

/** Puts a spill store behind a destination's writer; without a store, the writer as it is. */
export function withSpill(
  writer: RecordWriter,
  destinationId: string,
  store: SpillStore | undefined,
  options: Omit<SpillingRecordWriterOptions, 'writer' | 'destinationId' | 'store'> = {},
): RecordWriter {
  if (store === undefined) return writer;
  return new SpillingRecordWriter({ ...options, writer, destinationId, store });
}
