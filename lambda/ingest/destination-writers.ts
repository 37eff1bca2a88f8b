import type { RuntimeSource } from '../config/runtime-config';
import type { OutgoingRecord, RecordWriter, WriteReport } from '../delivery/record-writer';
import type { WindowRecords } from './ingest-window';
import type { WindowReports } from './window-writes';

/**
 * The writers a request's records go to: each destination's, and each failed-events stream's. The
 * delivery side of `Ingest`: it writes what it is given by the deadline and reports what failed;
 * retries, spill and dedup are the writers' own (lambda/delivery/).
 */
export class DestinationWriters {
  /**
   * @param writers the writer of each destination id, built once per container
   * @param failedWriters the writer of each destination's failed-events stream, by destination id
   *   (only destinations with a `failedStreamName`)
   */
  constructor(
    private readonly writers: ReadonlyMap<string, RecordWriter>,
    private readonly failedWriters: ReadonlyMap<string, RecordWriter> | undefined,
  ) {}

  /** The source's destinations that have a failed-events stream. */
  failedDestinationsOf(source: RuntimeSource): string[] {
    const writers = this.failedWriters;
    if (writers === undefined || writers.size === 0) return [];
    return source.destinations.filter((id) => writers.has(id));
  }

  /**
   * Writes one window: each destination's records and the failure records, all at once. A write
   * that throws fails the window once the window's other writes are over.
   */
  async writeWindow(
    window: WindowRecords,
    destinations: readonly string[],
    failedDestinations: readonly string[],
    deadline: number,
  ): Promise<WindowReports> {
    const [reports, failedReports] = await Promise.all([
      Promise.allSettled(
        destinations.map(async (destinationId, position) => {
          const records = window.records[position] ?? [];
          return records.length === 0 ? undefined : this.write(destinationId, records, deadline);
        }),
      ),
      Promise.allSettled([this.writeFailed(failedDestinations, window.failures, deadline)]),
    ]);
    for (const report of [...reports, ...failedReports]) {
      if (report.status === 'rejected') throw report.reason;
    }
    return {
      reports: reports.map((report) => (report.status === 'fulfilled' ? report.value : undefined)),
      failedReports: failedReports[0]?.status === 'fulfilled' ? failedReports[0].value : [],
    };
  }

  /** Writes `records` to the failed-events stream of each of `destinationIds`, side by side. */
  writeFailed(
    destinationIds: readonly string[],
    records: readonly OutgoingRecord[],
    deadline: number,
  ): Promise<WriteReport[]> {
    const writers = this.failedWriters;
    if (records.length === 0 || writers === undefined) return Promise.resolve([]);
    return Promise.all(
      destinationIds.map((id) => (writers.get(id) as RecordWriter).write(records, deadline)),
    );
  }

  private write(destinationId: string, records: OutgoingRecord[], deadline: number): Promise<WriteReport> {
    const writer = this.writers.get(destinationId);
    if (writer === undefined) throw new Error(`No writer for destination "${destinationId}"`);
    return writer.write(records, deadline);
  }
}
